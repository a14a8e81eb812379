// The streaming side: every scored alert's features update per-feature rank reservoirs and a reservoir of recent
// alerts; every RebuildEvery updates a new snapshot is built, in which the oldest TreesPerRebuild trees of each
// forest are regrown from the recent alerts (ranked with the current transform), and published with one atomic
// swap. Scoring threads read Current and never wait. Deterministic: the same seed and the same update order give
// the same snapshots. Not thread-safe for Update: one learner per stream (partition worker).
using Broker.Features.Catalog;
using Broker.Novelty.Forest;
using Broker.Novelty.Ranks;
using Broker.Novelty.Snapshots;

namespace Broker.Novelty;

public sealed class NoveltyLearner
{
    private readonly NoveltyOptions _options;
    private readonly IReadOnlyList<Subspace> _subspaces;
    private readonly RankReservoir[] _ranks;
    private readonly float[] _points;   // recent alerts' raw features, ReservoirCapacity rows
    private readonly IsolationTree?[][] _trees;
    private readonly int _width;
    private SplitMix _random;
    private int _pointCount;
    private long _updates;
    private long _generation;
    private int _nextTree;
    private NoveltySnapshot? _current;

    public NoveltyLearner(NoveltyOptions? options = null, IReadOnlyList<Subspace>? subspaces = null, int? featureCount = null)
    {
        _options = options ?? new NoveltyOptions();
        _subspaces = subspaces ?? Subspace.Default;
        _width = featureCount ?? FeatureCatalog.Count;
        _random = new SplitMix(_options.Seed);
        _ranks = [.. Enumerable.Range(0, _width).Select(_ => new RankReservoir(_options.ReservoirCapacity, _options.Horizon))];
        _points = new float[_options.ReservoirCapacity * _width];
        _trees = [.. _subspaces.Select(_ => new IsolationTree?[_options.Trees])];
    }

    public NoveltyOptions Options => _options;

    public long Updates => _updates;

    /// <summary>The latest snapshot, or null until enough alerts (SampleSize) have been seen.</summary>
    public NoveltySnapshot? Current => Volatile.Read(ref _current);

    /// <summary>Learns from one alert's raw feature vector (catalog order). Returns true when a new snapshot was published.</summary>
    public bool Update(ReadOnlySpan<float> features)
    {
        if (features.Length < _width)
        {
            throw new ArgumentException($"A feature vector has {_width} values.", nameof(features));
        }

        for (var f = 0; f < _width; f++)
        {
            _ranks[f].Add(features[f], ref _random);
        }

        AddPoint(features);
        _updates++;
        var due = _current is null ? _pointCount >= _options.SampleSize : _updates % _options.RebuildEvery == 0;
        if (!due)
        {
            return false;
        }

        Volatile.Write(ref _current, Build(rebuildAll: _current is null));
        return true;
    }

    /// <summary>
    /// The batch forest the streaming one is compared with: ranks from every value of the whole set, every tree grown
    /// from a subsample of the whole set (the 2008 paper's setting).
    /// </summary>
    public static NoveltySnapshot Batch(ReadOnlySpan<float> vectors, int count, int width, NoveltyOptions? options = null, IReadOnlyList<Subspace>? subspaces = null)
    {
        options ??= new NoveltyOptions();
        subspaces ??= Subspace.Default;
        var columns = new float[width][];
        for (var f = 0; f < width; f++)
        {
            var column = new List<float>(count);
            for (var i = 0; i < count; i++)
            {
                var v = vectors[(i * width) + f];
                if (!float.IsNaN(v))
                {
                    column.Add(v);
                }
            }

            column.Sort();
            columns[f] = [.. column];
        }

        var transform = new RankTransform(columns);
        var ranked = RankAll(transform, vectors, count, width);

        var random = new SplitMix(options.Seed ^ 0xBA7C4UL);
        var psi = Math.Min(options.SampleSize, count);
        var sample = new float[psi * width];
        var forests = new IsolationTree[subspaces.Count][];
        for (var s = 0; s < subspaces.Count; s++)
        {
            forests[s] = new IsolationTree[options.Trees];
            var dims = subspaces[s].Features.ToArray();
            for (var t = 0; t < options.Trees; t++)
            {
                Subsample(ranked, count, width, psi, sample, ref random);
                forests[s][t] = IsolationTree.Build(sample, width, psi, dims, ref random);
            }
        }

        return new NoveltySnapshot($"nov-batch-{options.Seed}-{count}", options.Seed, 0, count, psi, transform, subspaces, forests);
    }

    private void AddPoint(ReadOnlySpan<float> features)
    {
        long slot;
        if (_pointCount < _options.ReservoirCapacity)
        {
            slot = _pointCount++;
        }
        else
        {
            var window = Math.Min(_updates + 1, _options.Horizon);
            slot = (long)(_random.NextDouble() * window);
            if (slot >= _options.ReservoirCapacity)
            {
                return;
            }
        }

        features[.._width].CopyTo(_points.AsSpan((int)slot * _width, _width));
    }

    private NoveltySnapshot Build(bool rebuildAll)
    {
        var transform = new RankTransform([.. _ranks.Select(r => r.SortedSample())]);
        var ranked = RankAll(transform, _points, _pointCount, _width);

        var psi = Math.Min(_options.SampleSize, _pointCount);
        var replace = rebuildAll ? _options.Trees : Math.Min(_options.TreesPerRebuild, _options.Trees);
        var sample = new float[psi * _width];
        for (var k = 0; k < replace; k++)
        {
            var slot = rebuildAll ? k : (_nextTree + k) % _options.Trees;
            for (var s = 0; s < _subspaces.Count; s++)
            {
                Subsample(ranked, _pointCount, _width, psi, sample, ref _random);
                var dims = _subspaces[s].Features.ToArray();
                _trees[s][slot] = IsolationTree.Build(sample, _width, psi, dims, ref _random);
            }
        }

        if (!rebuildAll)
        {
            _nextTree = (_nextTree + replace) % _options.Trees;
        }

        _generation++;
        var forests = _trees.Select(t => t.Select(x => x!).ToArray()).ToArray();
        var built = new NoveltySnapshot($"nov-{_options.Seed}-{_generation}", _options.Seed, _generation, _updates, psi, transform, _subspaces, forests);
        return new NoveltySnapshot(ContentId(built, _width), _options.Seed, _generation, _updates, psi, transform, _subspaces, forests);
    }

    /// <summary>
    /// "nov-{seed}-{generation}-{hash}": the hash (first 12 hex digits of the SHA-256 of the snapshot's file bytes)
    /// makes the id name the content, so a learner restarted with the same seed (whose generations start over with
    /// other data) never reuses an id for a different model; an archive keeps snapshots by id (docs/operations.md).
    /// </summary>
    private static string ContentId(NoveltySnapshot snapshot, int width)
    {
        IReadOnlyList<string> names = width == FeatureCatalog.Count ? FeatureCatalog.Names : [.. Enumerable.Range(0, width).Select(i => "f" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var hash = System.Security.Cryptography.SHA256.HashData(SnapshotFile.ToBytes(snapshot, names));
        return $"{snapshot.Id}-{Convert.ToHexStringLower(hash)[..12]}";
    }

    /// <summary>The rank-transformed copy of <paramref name="count"/> raw rows.</summary>
    private static float[] RankAll(RankTransform transform, ReadOnlySpan<float> rows, int count, int width)
    {
        var ranked = new float[count * width];
        for (var i = 0; i < count; i++)
        {
            transform.Transform(rows.Slice(i * width, width), ranked.AsSpan(i * width, width));
        }

        return ranked;
    }

    /// <summary>psi distinct rows of <paramref name="ranked"/>, drawn without replacement (partial Fisher-Yates on indexes).</summary>
    private static void Subsample(float[] ranked, int rows, int width, int psi, float[] sample, ref SplitMix random)
    {
        var order = new int[rows];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        for (var i = 0; i < psi; i++)
        {
            var j = i + random.NextInt(order.Length - i);
            (order[i], order[j]) = (order[j], order[i]);
            ranked.AsSpan(order[i] * width, width).CopyTo(sample.AsSpan(i * width, width));
        }
    }
}
