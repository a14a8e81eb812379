// One isolation tree (Liu, Ting & Zhou 2008), stored as flat arrays for fast, allocation-free traversal. Built on
// a subsample of rank-transformed points over one subspace's features: each node picks one of the subspace's
// features at random and a split uniform between the node's min and max of it, until a point is alone, the
// points are identical, or the depth limit ceil(log2(sample)) is reached. A point's path length is its depth
// plus c(n) for the n sample points left in its leaf (the expected depth of an unbuilt subtree).
namespace Broker.Novelty.Forest;

public sealed class IsolationTree
{
    // Nodes in pre-order, 8 bytes each (a cache line holds 8): a split node's left child is the next node and
    // Right names the other; a leaf (Feature == Leaf) holds in Value its whole path length, depth + c(n), so a
    // traversal ends with one load. _size[i] is the number of sample points that reached node i (explanations).
    private const ushort Leaf = ushort.MaxValue;
    private readonly Node[] _nodes;
    private readonly int[] _size;
    private readonly int[] _feature;
    private readonly float[] _split;
    private readonly int[] _right;

    internal IsolationTree(int[] feature, float[] split, int[] left, int[] right, int[] size)
    {
        if (feature.Length >= Leaf)
        {
            throw new ArgumentException($"A tree has at most {Leaf - 1} nodes.", nameof(feature));
        }

        _feature = feature;
        _split = split;
        _right = right;
        _size = size;
        _nodes = new Node[feature.Length];
        var depth = new int[feature.Length];
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (feature[i] < 0)
            {
                _nodes[i] = new Node(depth[i] + AveragePath(size[i]), Leaf, 0);
                continue;
            }

            if (left[i] != i + 1)
            {
                throw new ArgumentException($"Node {i}: the left child must follow its parent (pre-order).", nameof(left));
            }

            depth[i + 1] = depth[right[i]] = depth[i] + 1;
            _nodes[i] = new Node(split[i], (ushort)feature[i], (ushort)right[i]);
        }
    }

    public int NodeCount => _nodes.Length;

    internal int[] Features => _feature;

    internal float[] Splits => _split;

    internal int[] Lefts => [.. Enumerable.Range(0, _nodes.Length).Select(i => _feature[i] < 0 ? -1 : i + 1)];

    internal int[] Rights => _right;

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
        var i = 0;
        while (nodes[i].Feature != Leaf)
        {
            ref readonly var n = ref nodes[i];
            i = ranks[n.Feature] < n.Value ? i + 1 : n.Right;
        }

        return nodes[i].Value;
    }

    /// <summary>
    /// The summed path lengths of four trees, walked together: the four chains of dependent loads overlap in the
    /// memory system instead of waiting one after another (the forests do not fit in L2, so this is ~2x faster).
    /// </summary>
    public static float PathLength4(IsolationTree a, IsolationTree b, IsolationTree c, IsolationTree d, ReadOnlySpan<float> ranks)
    {
        Node[] na = a._nodes, nb = b._nodes, nc = c._nodes, nd = d._nodes;
        int ia = 0, ib = 0, ic = 0, id = 0;
        while (true)
        {
            var pending = 0;
            ref readonly var x = ref na[ia];
            if (x.Feature != Leaf)
            {
                ia = ranks[x.Feature] < x.Value ? ia + 1 : x.Right;
                pending++;
            }

            ref readonly var y = ref nb[ib];
            if (y.Feature != Leaf)
            {
                ib = ranks[y.Feature] < y.Value ? ib + 1 : y.Right;
                pending++;
            }

            ref readonly var z = ref nc[ic];
            if (z.Feature != Leaf)
            {
                ic = ranks[z.Feature] < z.Value ? ic + 1 : z.Right;
                pending++;
            }

            ref readonly var w = ref nd[id];
            if (w.Feature != Leaf)
            {
                id = ranks[w.Feature] < w.Value ? id + 1 : w.Right;
                pending++;
            }

            if (pending == 0)
            {
                return na[ia].Value + nb[ib].Value + nc[ic].Value + nd[id].Value;
            }
        }
    }

    /// <summary>
    /// Path length, crediting each feature split on along the way with the number of sample points that split
    /// separated from the point: summed over the path this shares out the whole sample (less the leaf) among the
    /// features that isolated the point, and the splits that cut it off from most of the sample weigh most.
    /// </summary>
    public float PathLength(ReadOnlySpan<float> ranks, Span<float> credit)
    {
        var i = 0;
        while (_nodes[i].Feature != Leaf)
        {
            ref readonly var n = ref _nodes[i];
            var next = ranks[n.Feature] < n.Value ? i + 1 : n.Right;
            credit[n.Feature] += _size[i] - _size[next];
            i = next;
        }

        return _nodes[i].Value;
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

    private readonly record struct Node(float Value, ushort Feature, ushort Right);

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
