// Leave-one-group-out: no row is scored by a model that saw a row of its group, and a stack fitted this way on
// inputs that only work within groups shows it (the pooled AUC drops), where a plain in-sample fit would not.
using Broker.Models.Evaluation;
using Broker.Models.RealBogus;

namespace Broker.Models.Tests;

public sealed class LeaveOneGroupOutTests
{
    [Fact]
    public void No_row_is_scored_by_a_fit_that_saw_its_group()
    {
        int[] groups = [0, 0, 1, 2, 2, 2, 1];
        var predictions = LeaveOneGroupOut.Predict(groups, training =>
        {
            var seen = training.Select(i => groups[i]).ToHashSet();
            return i => seen.Contains(groups[i]) ? -1f : training.Count;
        });
        Assert.DoesNotContain(-1f, predictions);
        Assert.Equal([5f, 5f, 5f, 4f, 4f, 4f, 5f], predictions);
    }

    [Fact]
    public void A_survey_stack_learns_which_input_to_trust_and_group_aucs_need_both_classes()
    {
        var random = new Random(11);
        var labels = Enumerable.Range(0, 600).Select(i => i % 3 != 0).ToArray();
        var groups = Enumerable.Range(0, 600).Select(i => i / 60).ToArray();
        float Noise(bool real, double spread) => (float)Math.Clamp((real ? 0.7 : 0.3) + ((random.NextDouble() - 0.5) * spread), 0.01, 0.99);
        var rows = labels.Select(l => new[] { Noise(l, 0.4), Noise(l, 2.0) }).ToList();
        var predictions = LeaveOneGroupOut.Predict(groups, training =>
        {
            var stack = SurveyStack.Fit(["trees", "cnn"], [.. training.Select(i => rows[i])], [.. training.Select(i => labels[i])]);
            return i => stack.Score(rows[i]);
        });
        var all = SurveyStack.Fit(["trees", "cnn"], rows, labels);
        Assert.True(all.Weights[0] > 3 * Math.Abs(all.Weights[1]), all.ToString());
        Assert.True(Metrics.RocAuc(predictions, labels) > 0.95);
        Assert.Equal(10, LeaveOneGroupOut.GroupAucs(predictions, labels, groups).Count);
        Assert.Empty(LeaveOneGroupOut.GroupAucs(predictions, [.. labels.Select(_ => true)], groups));
    }
}
