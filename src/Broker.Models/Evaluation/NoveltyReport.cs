// The figures `broker eval novelty` reports for one labelled stream: per subspace and combined, the streaming
// scores' ROC AUC beside a batch forest's, precision and recall at k (k = the number of rare alerts) overall and per
// rare kind, the subspaces' top-k overlaps; on a real stream, what the night's likely-real list would hold and the
// distinct-anomaly estimate. Kept beside the other evaluations so it is tested without the CLI.
using System.Globalization;
using System.Text;
using Broker.Novelty;
using Broker.Novelty.Forest;

namespace Broker.Models.Evaluation;

/// <summary>The figures of one evaluation: per subspace and combined, streaming and batch.</summary>
public sealed class NoveltyReport
{
    private readonly IReadOnlyList<string?> _rareKind;
    private readonly IReadOnlyList<string> _kinds;
    private readonly int[] _rows;
    private readonly IReadOnlyList<Subspace> _subspaces;
    private readonly float[][] _streaming;
    private readonly float[][] _batch;
    private readonly bool[] _labels;

    /// <param name="rareKind">Per stream row, its rare kind, or null for an ordinary alert.</param>
    /// <param name="kinds">The rare kinds, in the order the report lists them.</param>
    /// <param name="rows">The rows the report covers (scored by a forest, after the warm-up).</param>
    /// <param name="subspaces">The subspaces, in the order of <paramref name="streaming"/> and <paramref name="batch"/>.</param>
    /// <param name="streaming">Per subspace, every row's streaming score.</param>
    /// <param name="batch">Per subspace, every row's score from one forest fitted on the whole stream.</param>
    public NoveltyReport(IReadOnlyList<string?> rareKind, IReadOnlyList<string> kinds, int[] rows, IReadOnlyList<Subspace> subspaces, float[][] streaming, float[][] batch)
    {
        ArgumentNullException.ThrowIfNull(rareKind);
        ArgumentNullException.ThrowIfNull(rows);
        _rareKind = rareKind;
        _kinds = kinds;
        _rows = rows;
        _subspaces = subspaces;
        _streaming = streaming;
        _batch = batch;
        _labels = [.. rows.Select(IsRare)];
        K = _labels.Count(l => l);
    }

    /// <summary>k of precision@k and recall@k: the number of injected rare alerts.</summary>
    public int K { get; }

    /// <summary>The ROC AUC of <paramref name="scores"/> (per stream row) for telling the rare rows of the report apart.</summary>
    public double Auc(float[] scores) => Metrics.RocAuc(Rows(scores), _labels);

    /// <summary>The combined score: per row, the highest subspace score (what the broker publishes as novelty).</summary>
    public static float[] Combined(float[][] perSubspace)
    {
        var combined = new float[perSubspace[0].Length];
        for (var i = 0; i < combined.Length; i++)
        {
            combined[i] = perSubspace.Max(s => s[i]);
        }

        return combined;
    }

    /// <summary>The report as text: per subspace and combined, AUC (streaming and batch), precision and recall at k, by kind; the subspaces' top-k overlaps.</summary>
    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"{_rows.Length} alerts scored, {K} rare ({string.Join(", ", _kinds.Select(k => $"{k} {_rows.Count(r => _rareKind[r] == k)}"))}); k = {K}\n");
        sb.Append("subspace        auc     batch_auc  p@k     r@k     recall@k by kind (" + string.Join(", ", _kinds) + ")\n");
        var combinedStreaming = Combined(_streaming);
        var combinedBatch = Combined(_batch);
        foreach (var (name, s, b) in _subspaces.Select((x, i) => (x.Name, _streaming[i], _batch[i])).Append(("combined", combinedStreaming, combinedBatch)))
        {
            var top = TopK(s, K);
            var hits = top.Count(r => IsRare(r));
            var byKind = _kinds.Select(kind =>
            {
                var n = _rows.Count(r => _rareKind[r] == kind);
                return n == 0 ? "-" : (top.Count(r => _rareKind[r] == kind) / (double)n).ToString("F2", inv);
            });
            sb.Append(inv, $"{name,-14}  {Auc(s):F4}  {Auc(b):F4}     {hits / (double)K:F3}   {hits / (double)K:F3}   {string.Join("  ", byKind)}\n");
        }

        sb.Append("top-k overlaps between subspaces (k_ij of top ").Append(K).Append("; n ~ k^2 / k_ij):\n");
        var named = Enumerable.Range(0, _subspaces.Count).Where(i => _subspaces[i].Name != Subspace.AllName).ToArray();
        foreach (var i in named)
        {
            foreach (var j in named.Where(j => j > i))
            {
                var overlap = TopK(_streaming[i], K).Intersect(TopK(_streaming[j], K)).Count();
                var estimate = overlap == 0 ? "inf" : ((double)K * K / overlap).ToString("F0", inv);
                sb.Append(inv, $"  {_subspaces[i].Name} x {_subspaces[j].Name}: {overlap} (n ~ {estimate})\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>One line of key=value figures for scripts.</summary>
    public string KeyValues(string snapshotId, double seconds)
    {
        var inv = CultureInfo.InvariantCulture;
        var combined = Combined(_streaming);
        var top = TopK(combined, K);
        var hits = top.Count(r => IsRare(r));
        var auc = Auc(combined);
        var batchAuc = Auc(Combined(_batch));
        var perSubspace = string.Join(' ', _subspaces.Select((x, i) => string.Create(inv, $"auc_{x.Name}={Auc(_streaming[i]):F4}")));
        return string.Create(inv,
            $"eval_novelty=1 snapshot={snapshotId} auc={auc:F4} batch_auc={batchAuc:F4} auc_gap={batchAuc - auc:F4} precision_at_k={hits / (double)K:F3} recall_at_k={hits / (double)K:F3} k={K} n={_rows.Length} {perSubspace} seconds={seconds:F0}");
    }

    /// <summary>
    /// The real-stream figures: how many of the combined top k are likely real (score >= 0.5), and the list the
    /// night digest keeps (likely-real alerts only, most novel first): its precision and recall at k per rare kind;
    /// then the distinct-anomaly estimate over the likely-real alerts. Writes the text, returns key=value pairs.
    /// </summary>
    public string LikelyReal(float[] realScores, float likelyReal, float[] vectors, int width, TextWriter text)
    {
        ArgumentNullException.ThrowIfNull(realScores);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(text);
        var inv = CultureInfo.InvariantCulture;
        bool Likely(int r) => realScores[r] >= likelyReal;
        var combined = Combined(_streaming);
        var topLikelyReal = _rows.OrderByDescending(r => combined[r]).ThenBy(r => r).Take(K).Count(Likely);
        var likely = _rows.Where(Likely).ToArray();
        var list = likely.OrderByDescending(r => combined[r]).ThenBy(r => r).Take(K).ToList();
        var hits = list.Count(IsRare);
        var likelyRealRare = likely.Count(IsRare);
        text.WriteLine(string.Create(inv, $"likely real (combined real/bogus >= {likelyReal}): {likely.Length} of {_rows.Length} scored; {topLikelyReal} of the top {K} by novelty"));
        text.Write(string.Create(inv, $"the night list (likely-real only, top {K}): precision {hits / (double)Math.Max(1, list.Count):F3}, recall of the likely-real rare {hits}/{likelyRealRare}; by kind: "));
        text.WriteLine(string.Join(", ", _kinds.Select(kind =>
            string.Create(inv, $"{kind} {list.Count(r => _rareKind[r] == kind)}/{likely.Count(r => _rareKind[r] == kind)}"))));
        var likelyVectors = new float[likely.Length * width];
        for (var i = 0; i < likely.Length; i++)
        {
            vectors.AsSpan(likely[i] * width, width).CopyTo(likelyVectors.AsSpan(i * width, width));
        }

        var distinct = likely.Length >= DistinctAnomalies.MinimumPoints ? DistinctAnomalies.Of(likelyVectors, likely.Length, width) : default;
        text.WriteLine(string.Create(inv, $"distinct anomalies among the likely-real alerts (two independently seeded forests, top {distinct.K} overlap {distinct.Overlap}): n ~ g^2/k = {distinct.Estimate:F1}"));
        return string.Create(inv, $"top_k_likely_real={topLikelyReal / (double)K:F3} list_precision_at_k={hits / (double)Math.Max(1, list.Count):F3} list_recall={hits / (double)Math.Max(1, likelyRealRare):F3} distinct_k={distinct.K} distinct_g={distinct.Overlap} distinct_estimate={distinct.Estimate:F1}");
    }

    private bool IsRare(int row) => _rareKind[row] is not null;

    private float[] Rows(float[] scores) => [.. _rows.Select(r => scores[r])];

    private HashSet<int> TopK(float[] scores, int k) => [.. _rows.OrderByDescending(r => scores[r]).ThenBy(r => r).Take(k)];
}
