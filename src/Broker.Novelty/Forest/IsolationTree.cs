// One isolation tree (Liu, Ting & Zhou 2008), stored as flat arrays for fast, allocation-free traversal. Built on
// a subsample of rank-transformed points over one subspace's features: each node picks one of the subspace's
// features at random and a split uniform between the node's min and max of it, until a point is alone, the
// points are identical, or the depth limit ceil(log2(sample)) is reached. A point's path length is its depth
// plus c(n) for the n sample points left in its leaf (the expected depth of an unbuilt subtree).
namespace Broker.Novelty.Forest;

public sealed class IsolationTree
{
    // Node i: Feature >= 0 splits (to Left when the rank is below Split, else to Right); Feature == -1 is a leaf.
    // The four fields share 16 bytes, so a traversal touches one cache line per level. _size[i] is the number of
    // sample points that reached node i (leaves: for c(n); every node: for explanations).
    private readonly Node[] _nodes;
    private readonly int[] _size;

    internal IsolationTree(int[] feature, float[] split, int[] left, int[] right, int[] size)
    {
        _nodes = new Node[feature.Length];
        for (var i = 0; i < _nodes.Length; i++)
        {
            _nodes[i] = new Node(feature[i], split[i], left[i], right[i]);
        }

        _size = size;
    }

    public int NodeCount => _nodes.Length;

    internal int[] Features => [.. _nodes.Select(n => n.Feature)];

    internal float[] Splits => [.. _nodes.Select(n => n.Split)];

    internal int[] Lefts => [.. _nodes.Select(n => n.Left)];

    internal int[] Rights => [.. _nodes.Select(n => n.Right)];

    internal ReadOnlySpan<int> Sizes => _size;

    /// <summary>Builds a tree on <paramref name="count"/> points (rows of <paramref name="points"/>, width features each).</summary>
    internal static IsolationTree Build(float[] points, int width, int count, ReadOnlySpan<int> dimensions, ref SplitMix random)
    {
        var maxDepth = (int)Math.Ceiling(Math.Log2(Math.Max(2, count)));
        var builder = new Builder(points, width, dimensions.ToArray());
        var rows = Enumerable.Range(0, count).ToArray();
        builder.Grow(rows, 0, count, 0, maxDepth, ref random);
        return builder.ToTree();
    }

    /// <summary>Path length of a rank-transformed point (full width vector).</summary>
    public float PathLength(ReadOnlySpan<float> ranks)
    {
        var nodes = _nodes;
        var node = 0;
        var depth = 0;
        while (nodes[node].Feature >= 0)
        {
            ref readonly var n = ref nodes[node];
            node = ranks[n.Feature] < n.Split ? n.Left : n.Right;
            depth++;
        }

        return depth + AveragePath(_size[node]);
    }

    /// <summary>
    /// Path length, crediting each feature split on along the way with the number of sample points that split
    /// separated from the point: summed over the path this shares out the whole sample (less the leaf) among the
    /// features that isolated the point, and the splits that cut it off from most of the sample weigh most.
    /// </summary>
    public float PathLength(ReadOnlySpan<float> ranks, Span<float> credit)
    {
        var node = 0;
        var depth = 0;
        while (_nodes[node].Feature >= 0)
        {
            ref readonly var n = ref _nodes[node];
            var next = ranks[n.Feature] < n.Split ? n.Left : n.Right;
            credit[n.Feature] += _size[node] - _size[next];
            node = next;
            depth++;
        }

        return depth + AveragePath(_size[node]);
    }

    /// <summary>c(n): the average path length of an unsuccessful search in a binary search tree of n points.</summary>
    public static float AveragePath(int n) => (uint)n < (uint)AveragePaths.Length ? AveragePaths[n] : ComputeAveragePath(n);

    private static readonly float[] AveragePaths = [.. Enumerable.Range(0, 4097).Select(ComputeAveragePath)];

    private static float ComputeAveragePath(int n) => n switch
    {
        <= 1 => 0f,
        2 => 1f,
        _ => (float)((2 * (Math.Log(n - 1) + 0.5772156649015329)) - (2.0 * (n - 1) / n)),
    };

    internal static IsolationTree FromArrays(int[] feature, float[] split, int[] left, int[] right, int[] size) => new(feature, split, left, right, size);

    private readonly record struct Node(int Feature, float Split, int Left, int Right);

    private sealed class Builder(float[] points, int width, int[] dimensions)
    {
        private readonly List<int> _feature = [];
        private readonly List<float> _split = [];
        private readonly List<int> _left = [];
        private readonly List<int> _right = [];
        private readonly List<int> _size = [];

        public int Grow(int[] rows, int start, int count, int depth, int maxDepth, ref SplitMix random)
        {
            var node = _feature.Count;
            _feature.Add(-1);
            _split.Add(0);
            _left.Add(-1);
            _right.Add(-1);
            _size.Add(count);
            if (count <= 1 || depth >= maxDepth)
            {
                return node;
            }

            // Pick a feature with spread among this node's points; a few tries, then give up (identical points).
            for (var attempt = 0; attempt < dimensions.Length * 2; attempt++)
            {
                var f = dimensions[random.NextInt(dimensions.Length)];
                float lo = float.MaxValue, hi = float.MinValue;
                for (var i = start; i < start + count; i++)
                {
                    var v = points[(rows[i] * width) + f];
                    lo = Math.Min(lo, v);
                    hi = Math.Max(hi, v);
                }

                if (!(hi > lo))
                {
                    continue;
                }

                var split = lo + ((hi - lo) * random.NextFloat());
                if (split <= lo)
                {
                    split = MathF.BitIncrement(lo);
                }

                // Partition rows[start..start+count) into < split and >= split.
                var mid = start;
                for (var i = start; i < start + count; i++)
                {
                    if (points[(rows[i] * width) + f] < split)
                    {
                        (rows[i], rows[mid]) = (rows[mid], rows[i]);
                        mid++;
                    }
                }

                _feature[node] = f;
                _split[node] = split;
                _left[node] = Grow(rows, start, mid - start, depth + 1, maxDepth, ref random);
                _right[node] = Grow(rows, mid, start + count - mid, depth + 1, maxDepth, ref random);
                return node;
            }

            return node;
        }

        public IsolationTree ToTree() => new([.. _feature], [.. _split], [.. _left], [.. _right], [.. _size]);
    }
}
