// Leave-one-group-out predictions: every row scored by a model fitted without any row of its group (a night, an
// origin), so a pooled figure over the predictions estimates what a night the model never saw gets. An object split
// of the same nights flatters: last round's object split said 0.935 where other nights gave 0.80.
namespace Broker.Models.Evaluation;

public static class LeaveOneGroupOut
{
    /// <summary>
    /// For each group, <paramref name="fit"/> is given the indexes of every other group's rows and returns a scorer;
    /// the group's rows are scored with it. Returns one prediction per row.
    /// </summary>
    public static float[] Predict(IReadOnlyList<int> groups, Func<IReadOnlyList<int>, Func<int, float>> fit)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(fit);
        var predictions = new float[groups.Count];
        foreach (var group in groups.Distinct())
        {
            var training = Enumerable.Range(0, groups.Count).Where(i => groups[i] != group).ToList();
            var score = fit(training);
            for (var i = 0; i < groups.Count; i++)
            {
                if (groups[i] == group)
                {
                    predictions[i] = score(i);
                }
            }
        }

        return predictions;
    }

    /// <summary>The AUC within each group that has both classes (the spread a new night can expect).</summary>
    public static IReadOnlyList<double> GroupAucs(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, IReadOnlyList<int> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var aucs = new List<double>();
        foreach (var group in groups.Distinct())
        {
            var s = new List<float>();
            var l = new List<bool>();
            for (var i = 0; i < groups.Count; i++)
            {
                if (groups[i] == group)
                {
                    s.Add(scores[i]);
                    l.Add(labels[i]);
                }
            }

            if (l.Contains(true) && l.Contains(false))
            {
                aucs.Add(Metrics.RocAuc(s.ToArray(), l.ToArray()));
            }
        }

        return aucs;
    }
}
