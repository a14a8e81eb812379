namespace Broker.Models.Onnx;

/// <summary>ONNX tensor element types (TensorProto.DataType); the broker feeds and reads float tensors.</summary>
public enum OrtElementType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
}

/// <summary>A model input or output as the model declares it; a dimension of -1 is free (for example the batch).</summary>
public sealed record OrtTensorInfo(string Name, OrtElementType ElementType, IReadOnlyList<long> Shape)
{
    public override string ToString() =>
        $"{Name}: {ElementType.ToString().ToLowerInvariant()}[{string.Join(", ", Shape.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}

/// <summary>How a session runs: the broker's default is one intra-op thread and no spinning (workers own the cores).</summary>
public sealed record OrtSessionOptions
{
    public static OrtSessionOptions Default { get; } = new();

    public int IntraOpThreads { get; init; } = 1;

    public int InterOpThreads { get; init; } = 1;

    /// <summary>ORT's GraphOptimizationLevel: 0 none, 1 basic, 2 extended, 99 all.</summary>
    public int OptimizationLevel { get; init; } = 99;
}
