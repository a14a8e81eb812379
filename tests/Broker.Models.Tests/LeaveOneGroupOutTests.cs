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
    public void The_strict_form_keeps_every_night_origin_and_object_of_the_held_out_group_out_of_its_fit()
    {
        // Groups are origin x night; rows 0-1 and 4 share night n1 across two origins, rows 2 and 5 share an object.
        string[][] keys =
        [
            ["night:n1", "origin:a", "object:x"], ["night:n1", "origin:a", "object:y"], ["night:n2", "origin:a", "object:z"],
            ["night:n3", "origin:b", "object:w"], ["night:n1", "origin:b", "object:v"], ["night:n4", "origin:c", "object:z"],
            ["night:n5", "origin:c", "object:u"],
        ];
        int[] groups = [0, 0, 1, 2, 3, 4, 5];
        var sizes = new List<int>();
        var seenBy = new Dictionary<int, List<int>>();
        var predictions = LeaveOneGroupOut.Predict(groups, keys, training =>
        {
            var held = Enumerable.Range(0, groups.Length).First(i => !training.Contains(i) && seenBy.Keys.All(g => g != groups[i]));
            seenBy[groups[held]] = [.. training];
            return _ => training.Count;
        }, sizes);

        foreach (var (group, training) in seenBy)
        {
            var heldKeys = Enumerable.Range(0, groups.Length).Where(i => groups[i] == group).SelectMany(i => keys[i]).ToHashSet();
            Assert.All(training, i => Assert.NotEqual(group, groups[i]));
            Assert.All(training, i => Assert.DoesNotContain(keys[i], heldKeys.Contains));
        }

        // Group 0 (origin a, night n1): origin a and night n1 exclude rows 1-2 and 4, leaving rows 3, 5 and 6.
        Assert.Equal([3, 5, 6], seenBy[0]);
        Assert.Equal(3f, predictions[0]);
        Assert.Equal(sizes.Count, groups.Distinct().Count());

        // The plain form would have let group 0's fit see night n1 (row 4) and origin a (row 2).
        var plain = LeaveOneGroupOut.Predict(groups, training => _ => training.Count);
        Assert.Equal(5f, plain[0]);
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

    [Fact]
    public void A_nested_threshold_is_chosen_without_the_held_out_group()
    {
        // Five nights of ten confident reals; night 4 scores 0.3, the others 0.8-0.9. Chosen on every row, a threshold
        // keeping 98% would be 0.3 and keep night 4; chosen without it (as a new night gets it), it is 0.8 and night 4
        // is lost, while every other night, whose threshold was chosen with night 4 among its training rows, is kept.
        var groups = Enumerable.Range(0, 50).Select(i => i / 10).ToArray();
        var keys = groups.Select(g => (IReadOnlyList<string>)[$"night:{g}"]).ToArray();
        var scores = Enumerable.Range(0, 50).Select(i => groups[i] == 4 ? 0.3f : 0.8f + (0.01f * (i % 10))).ToArray();
        var passes = LeaveOneGroupOut.PassesNestedThreshold(groups, keys, _ => i => scores[i], [.. groups.Select(_ => true)], keep: 0.98);
        Assert.All(Enumerable.Range(0, 40), i => Assert.True(passes[i], $"row {i}"));
        Assert.All(Enumerable.Range(40, 10), i => Assert.False(passes[i], $"row {i}"));
    }
}
