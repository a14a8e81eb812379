// A snapshot on disk: a small binary file (little-endian) holding everything scoring needs, so a replay that loads
// it scores exactly as the live broker did. Layout: magic "BRKNOV01"; id, seed, generation, updates, sample size;
// the feature names (checked against the catalog on load); per feature its sorted rank sample; per subspace its
// name, description, feature indexes and trees (node arrays).
using System.Text;
using Broker.Novelty.Forest;
using Broker.Novelty.Ranks;

namespace Broker.Novelty.Snapshots;

public static class SnapshotFile
{
    private static readonly byte[] Magic = "BRKNOV01"u8.ToArray();

    public static void Save(NoveltySnapshot snapshot, string path, IReadOnlyList<string> featureNames)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            Write(snapshot, stream, featureNames);
        }

        File.Move(temp, path, overwrite: true); // readers never see half a file
    }

    /// <summary>The snapshot as bytes (the file's layout): what a cluster sends between silos.</summary>
    public static byte[] ToBytes(NoveltySnapshot snapshot, IReadOnlyList<string> featureNames)
    {
        using var stream = new MemoryStream();
        Write(snapshot, stream, featureNames);
        return stream.ToArray();
    }

    /// <summary>A snapshot from <see cref="ToBytes"/>; <paramref name="origin"/> names it in errors.</summary>
    public static NoveltySnapshot FromBytes(byte[] bytes, IReadOnlyList<string> featureNames, string origin = "snapshot bytes")
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, featureNames, origin);
    }

    public static void Write(NoveltySnapshot snapshot, Stream stream, IReadOnlyList<string> featureNames)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(featureNames);
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(snapshot.Id);
            w.Write(snapshot.Seed);
            w.Write(snapshot.Generation);
            w.Write(snapshot.Updates);
            w.Write(snapshot.SampleSize);
            w.Write(featureNames.Count);
            for (var f = 0; f < featureNames.Count; f++)
            {
                w.Write(featureNames[f]);
                var sample = snapshot.Ranks.Sample(f);
                w.Write(sample.Length);
                foreach (var v in sample)
                {
                    w.Write(v);
                }
            }

            w.Write(snapshot.Subspaces.Count);
            for (var s = 0; s < snapshot.Subspaces.Count; s++)
            {
                var sub = snapshot.Subspaces[s];
                w.Write(sub.Name);
                w.Write(sub.Description);
                WriteInts(w, [.. sub.Features]);
                w.Write(snapshot.Forests[s].Length);
                foreach (var tree in snapshot.Forests[s])
                {
                    WriteInts(w, tree.Features);
                    w.Write(tree.NodeCount);
                    foreach (var v in tree.Splits)
                    {
                        w.Write(v);
                    }

                    WriteInts(w, tree.Lefts);
                    WriteInts(w, tree.Rights);
                    WriteInts(w, tree.Sizes);
                }
            }
        }
    }

    /// <summary>Loads a snapshot; a file made for other features (names or order) is refused.</summary>
    public static NoveltySnapshot Load(string path, IReadOnlyList<string> featureNames)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, featureNames, path);
    }

    /// <summary>Reads a snapshot; one made for other features (names or order) is refused. <paramref name="path"/> names it in errors.</summary>
    public static NoveltySnapshot Read(Stream stream, IReadOnlyList<string> featureNames, string path)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException($"{path} is not a novelty snapshot.");
            }

            var id = r.ReadString();
            var seed = r.ReadUInt64();
            var generation = r.ReadInt64();
            var updates = r.ReadInt64();
            var sampleSize = r.ReadInt32();
            var features = r.ReadInt32();
            var samples = new float[features][];
            for (var f = 0; f < features; f++)
            {
                var name = r.ReadString();
                if (f >= featureNames.Count || name != featureNames[f])
                {
                    throw new InvalidDataException($"{path} was built for feature '{name}' at position {f}; this broker has '{(f < featureNames.Count ? featureNames[f] : "nothing")}' there.");
                }

                samples[f] = new float[Count(r, 1 << 24)];
                for (var i = 0; i < samples[f].Length; i++)
                {
                    samples[f][i] = r.ReadSingle();
                }
            }

            if (features != featureNames.Count)
            {
                throw new InvalidDataException($"{path} has {features} features; this broker has {featureNames.Count}.");
            }

            var subspaceCount = Count(r, 1024);
            var subspaces = new Subspace[subspaceCount];
            var forests = new IsolationTree[subspaceCount][];
            for (var s = 0; s < subspaceCount; s++)
            {
                var name = r.ReadString();
                var description = r.ReadString();
                subspaces[s] = new Subspace(name, description, ReadInts(r, features));
                forests[s] = new IsolationTree[Count(r, 1 << 16)];
                for (var t = 0; t < forests[s].Length; t++)
                {
                    var feature = ReadInts(r, ushort.MaxValue - 1);
                    var nodes = Count(r, ushort.MaxValue - 1);
                    var split = new float[nodes];
                    for (var i = 0; i < nodes; i++)
                    {
                        split[i] = r.ReadSingle();
                    }

                    var (left, right, size) = (ReadInts(r, nodes), ReadInts(r, nodes), ReadInts(r, nodes));
                    Validate(feature, left, right, size, nodes, features, path);
                    forests[s][t] = IsolationTree.FromArrays(feature, split, left, right, size);
                }
            }

            return new NoveltySnapshot(id, seed, generation, updates, sampleSize, new RankTransform(samples), subspaces, forests);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} ends early: a truncated snapshot.", e);
        }
    }

    private static void WriteInts(BinaryWriter w, ReadOnlySpan<int> values)
    {
        w.Write(values.Length);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static int[] ReadInts(BinaryReader r, int max)
    {
        var values = new int[Count(r, max)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = r.ReadInt32();
        }

        return values;
    }

    private static int Count(BinaryReader r, int max)
    {
        var n = r.ReadInt32();
        return n >= 0 && n <= max ? n : throw new InvalidDataException($"count {n} out of range (0..{max}).");
    }

    /// <summary>Child links inside the tree and pointing forward, features in range: a hostile file cannot loop or overrun.</summary>
    private static void Validate(int[] feature, int[] left, int[] right, int[] size, int n, int features, string path)
    {
        if (n == 0 || feature.Length != n || left.Length != n || right.Length != n || size.Length != n)
        {
            throw new InvalidDataException($"{path}: a tree's node arrays disagree in length.");
        }

        for (var i = 0; i < n; i++)
        {
            var f = feature[i];
            if (f >= features || f < -1 || (f >= 0 && (left[i] != i + 1 || right[i] <= i + 1 || right[i] >= n)))
            {
                throw new InvalidDataException($"{path}: tree node {i} is malformed.");
            }
        }
    }
}
