// Leave-one-group-out predictions: every row scored by a model fitted without any row of its group (a night, an
// origin) and, in the strict form, without any row that shares a night, an origin or an object with it, so a pooled
// figure over the predictions estimates what a night and a source the model never saw get. An object split
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

    /// <summary>
    /// Stricter than <see cref="Predict(IReadOnlyList{int}, Func{IReadOnlyList{int}, Func{int, float}})"/>: when a group
    /// is held out, the fit is also denied every row that shares any key with a held-out row (for alerts: its observing
    /// night, its origin, its object), so no night, origin or object is on both sides of any fold. A group whose every
    /// other row shares a key gets an empty training list; <paramref name="fit"/> decides what to do with it.
    /// </summary>
    /// <param name="keys">Per row, what must not be on both sides.</param>
    /// <param name="trainingSizes">Filled with each held-out group's training size, when given.</param>
    public static float[] Predict(IReadOnlyList<int> groups, IReadOnlyList<IReadOnlyList<string>> keys, Func<IReadOnlyList<int>, Func<int, float>> fit, List<int>? trainingSizes = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(fit);
        if (keys.Count != groups.Count)
        {
            throw new ArgumentException("one list of keys per row", nameof(keys));
        }

        var predictions = new float[groups.Count];
        foreach (var group in groups.Distinct())
        {
            var blocked = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < groups.Count; i++)
            {
                if (groups[i] == group)
                {
                    blocked.UnionWith(keys[i]);
                }
            }

            var training = Enumerable.Range(0, groups.Count).Where(i => groups[i] != group && !keys[i].Any(blocked.Contains)).ToList();
            trainingSizes?.Add(training.Count);
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

    /// <summary>
    /// Whether each row passes a threshold chosen as a new night would get it: for each held-out group (strict form),
    /// the threshold keeps <paramref name="keep"/> of the <paramref name="chosenOn"/> rows among the inner strict
    /// leave-one-group-out scores of its training rows alone, and is applied to the row's own outer score (a fit on
    /// those training rows). A threshold chosen on the very rows it is reported on looks better than it is.
    /// </summary>
    /// <param name="fit">Fits on the given rows and returns a scorer (NaN where it cannot score).</param>
    /// <param name="chosenOn">Per row, whether the threshold must keep it (e.g. the survey's confident reals).</param>
    public static bool[] PassesNestedThreshold(IReadOnlyList<int> groups, IReadOnlyList<IReadOnlyList<string>> keys, Func<IReadOnlyList<int>, Func<int, float>> fit, IReadOnlyList<bool> chosenOn, double keep)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(chosenOn);
        var passes = Predict(groups, keys, training =>
        {
            var outer = fit(training);
            var inner = Predict([.. training.Select(i => groups[i])], [.. training.Select(i => keys[i])], sub =>
            {
                var f = fit([.. sub.Select(j => training[j])]);
                return j => f(training[j]);
            });
            var kept = Enumerable.Range(0, training.Count).Where(j => chosenOn[training[j]] && !float.IsNaN(inner[j])).Select(j => inner[j]).Order().ToList();
            var threshold = kept.Count > 0 ? kept[(int)Math.Floor((1 - keep) * kept.Count)] : float.NaN;
            return i => outer(i) >= threshold ? 1f : 0f;
        });
        return [.. passes.Select(p => p > 0)];
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
