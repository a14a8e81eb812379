// The novelty evaluation's figures on a hand-made stream where the answer is known: a subspace that ranks the rare
// rows first has AUC 1 and finds them all in its top k; the combined score is the subspaces' maximum; the night's
// likely-real list leaves out rare rows the real/bogus score rejects.
using Broker.Models.Evaluation;
using Broker.Novelty.Forest;

namespace Broker.Models.Tests;

public sealed class NoveltyReportTests
{
    private const int Rows = 20;
    private static readonly string[] Kinds = ["fast_riser", "streak"];

    private static string?[] RareKinds()
    {
        var kinds = new string?[Rows];
        kinds[3] = "fast_riser";
        kinds[11] = "streak";
        return kinds;
    }

    // The first subspace puts the two rare rows on top; every other subspace scores all rows low and in row order.
    private static float[][] Scores(bool firstFindsThem)
    {
        var scores = new float[Subspace.Default.Count][];
        for (var k = 0; k < scores.Length; k++)
        {
            scores[k] = [.. Enumerable.Range(0, Rows).Select(r => 0.1f + (r * 0.001f))];
        }

        if (firstFindsThem)
        {
            scores[0][3] = 0.9f;
            scores[0][11] = 0.8f;
        }

        return scores;
    }

    private static NoveltyReport Report(bool firstFindsThem) =>
        new(RareKinds(), Kinds, [.. Enumerable.Range(0, Rows)], Subspace.Default, Scores(firstFindsThem), Scores(firstFindsThem: false));

    [Fact]
    public void A_subspace_that_ranks_the_rare_rows_first_has_auc_one_and_full_precision_at_k()
    {
        var report = Report(firstFindsThem: true);
        Assert.Equal(2, report.K);
        Assert.Equal(1.0, report.Auc(Scores(true)[0]), 6);
        Assert.Equal(1.0, report.Auc(NoveltyReport.Combined(Scores(true))), 6);

        var text = report.ToText();
        Assert.Contains("20 alerts scored, 2 rare (fast_riser 1, streak 1); k = 2", text, StringComparison.Ordinal);
        var first = text.Split('\n').Single(l => l.StartsWith(Subspace.Default[0].Name + " ", StringComparison.Ordinal));
        Assert.Contains("1.0000", first, StringComparison.Ordinal);
        Assert.Contains("1.000", first, StringComparison.Ordinal);

        var keys = report.KeyValues("snap-1", 3);
        Assert.Contains("auc=1.0000", keys, StringComparison.Ordinal);
        Assert.Contains("precision_at_k=1.000", keys, StringComparison.Ordinal);
        Assert.Contains("k=2 n=20", keys, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_signal_the_rare_rows_are_not_found()
    {
        var keys = Report(firstFindsThem: false).KeyValues("snap-1", 3);

        // Scores rise with the row, so the top 2 are rows 18 and 19: no rare row, and the AUC is the rank of rows 3 and 11.
        Assert.Contains("precision_at_k=0.000", keys, StringComparison.Ordinal);
        Assert.DoesNotContain("auc=1.0000", keys, StringComparison.Ordinal);
    }

    [Fact]
    public void The_combined_score_is_the_highest_subspace_score()
    {
        var combined = NoveltyReport.Combined([[0.1f, 0.7f], [0.5f, 0.2f], [0.3f, 0.3f]]);
        Assert.Equal([0.5f, 0.7f], combined);
    }

    [Fact]
    public void The_likely_real_list_leaves_out_rare_rows_the_real_score_rejects()
    {
        var report = Report(firstFindsThem: true);
        var real = Enumerable.Repeat(0.9f, Rows).ToArray();
        real[11] = 0.2f; // the streak is called bogus

        using var text = new StringWriter();
        var keys = report.LikelyReal(real, 0.5f, new float[Rows * 2], 2, text);

        Assert.Contains("likely real (combined real/bogus >= 0.5): 19 of 20 scored; 1 of the top 2 by novelty", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("recall of the likely-real rare 1/1", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("top_k_likely_real=0.500", keys, StringComparison.Ordinal);
        Assert.Contains("list_recall=1.000", keys, StringComparison.Ordinal);
    }
}
