// One loaded ONNX model over ONNX Runtime's managed API (Microsoft.ML.OnnxRuntime's InferenceSession), safe to
// share between threads (Run is thread-safe). What the model takes and gives (names, element types, shapes) is
// read from the model when it is opened; Run checks the caller's tensor against that before ORT sees it, and
// wraps the caller's own spans as OrtValues (no copy, no managed tensor per call), so ORT writes the scores
// straight into the caller's buffer. ORT's own errors become OrtException with ORT's code and message.
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Broker.Models.Onnx;

public sealed unsafe class OrtSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions = new();
    private int _disposed;

    private OrtSession(InferenceSession session)
    {
        _session = session;
        _inputNames = [.. session.InputNames];
        _outputNames = [.. session.OutputNames];
        Inputs = [.. _inputNames.Select(n => Describe(n, session.InputMetadata[n]))];
        Outputs = [.. _outputNames.Select(n => Describe(n, session.OutputMetadata[n]))];
        var metadata = session.ModelMetadata;
        var custom = metadata.CustomMetadataMap
            .Where(kv => OrtModelMetadata.KnownKeys.Contains(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        Metadata = new OrtModelMetadata(metadata.ProducerName ?? "", custom);
    }

    public IReadOnlyList<OrtTensorInfo> Inputs { get; }

    public IReadOnlyList<OrtTensorInfo> Outputs { get; }

    /// <summary>The model's producer and its custom metadata (ONNX metadata_props) for the keys the broker knows.</summary>
    public OrtModelMetadata Metadata { get; }

    /// <summary>Opens a model file. Missing file, corrupt or unsupported model: OrtException with ORT's message.</summary>
    public static OrtSession Open(string path, OrtSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new OrtException(OrtErrorCode.NoSuchFile, $"ONNX model {path} does not exist.");
        }

        return FromBytes(File.ReadAllBytes(path), options, path);
    }

    /// <summary>Loads a model from memory (the caller can check its hash first, then load exactly those bytes).</summary>
    public static OrtSession FromBytes(ReadOnlySpan<byte> model, OrtSessionOptions? options = null, string? origin = null)
    {
        options ??= OrtSessionOptions.Default;
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            GraphOptimizationLevel = (GraphOptimizationLevel)options.OptimizationLevel,
        };

        // The pipeline's workers own the cores: ORT's threads must not spin-wait for work between batches.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        try
        {
            return new OrtSession(new InferenceSession(model.ToArray(), sessionOptions));
        }
        catch (OnnxRuntimeException e)
        {
            throw Translate(e, origin);
        }
    }

    /// <summary>
    /// Runs a model with one float input and one float output. <paramref name="inputShape"/> must match the
    /// declared input (free dimensions take any size); the output's free leading dimension is the input's batch.
    /// Returns the number of output values written.
    /// </summary>
    public int Run(ReadOnlySpan<float> input, ReadOnlySpan<long> inputShape, Span<float> output)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Inputs.Count != 1 || Outputs.Count != 1 || Inputs[0].ElementType != OrtElementType.Float || Outputs[0].ElementType != OrtElementType.Float)
        {
            throw new OrtException(OrtErrorCode.NotImplemented,
                $"Run takes models with one float input and one float output; this one has inputs [{string.Join("; ", Inputs)}] and outputs [{string.Join("; ", Outputs)}].");
        }

        CheckInput(Inputs[0], input.Length, inputShape);
        var outputShape = new long[Outputs[0].Shape.Count];
        var outputCount = OutputShape(Outputs[0], inputShape, outputShape);
        if (output.Length < outputCount)
        {
            throw new OrtException(OrtErrorCode.ShapeMismatch, $"Output span holds {output.Length} values; the model writes {outputCount}.");
        }

        fixed (float* inData = input)
        fixed (float* outData = output)
        {
            // ORT only reads the input; the OrtValues borrow the pinned spans for the duration of Run.
            using var inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                inputShape.ToArray(), (IntPtr)inData, input.Length * sizeof(float));
            using var outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                outputShape, (IntPtr)outData, outputCount * sizeof(float));
            try
            {
                _session.Run(_runOptions, _inputNames, [inputValue], _outputNames, [outputValue]);
            }
            catch (OnnxRuntimeException e)
            {
                throw Translate(e, null);
            }
        }

        return outputCount;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
            _runOptions.Dispose();
        }
    }

    private static OrtException Translate(OnnxRuntimeException e, string? origin)
    {
        // The managed API keeps ORT's code only in its message: "[ErrorCode:InvalidProtobuf] ...".
        var code = OrtErrorCode.Fail;
        var start = e.Message.IndexOf("[ErrorCode:", StringComparison.Ordinal);
        var end = start < 0 ? -1 : e.Message.IndexOf(']', start);
        if (end > 0 && Enum.TryParse<OrtErrorCode>(e.Message.AsSpan(start + 11, end - start - 11), out var parsed))
        {
            code = parsed;
        }

        var where = origin is null ? "" : $"{origin}: ";
        return new OrtException(code, $"{where}ONNX Runtime ({code}): {e.Message.Trim()}", e);
    }

    private static void CheckInput(OrtTensorInfo declared, int length, ReadOnlySpan<long> shape)
    {
        var ok = shape.Length == declared.Shape.Count;
        long product = 1;
        for (var i = 0; ok && i < shape.Length; i++)
        {
            ok = shape[i] > 0 && (declared.Shape[i] < 0 || declared.Shape[i] == shape[i]);
            product *= shape[i];
        }

        if (!ok || product != length)
        {
            throw new OrtException(OrtErrorCode.ShapeMismatch,
                $"Input [{string.Join(", ", shape.ToArray())}] with {length} values does not fit the model's input {declared}.");
        }
    }

    private static int OutputShape(OrtTensorInfo declared, ReadOnlySpan<long> inputShape, Span<long> shape)
    {
        long count = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = declared.Shape[i] >= 0 ? declared.Shape[i] : i == 0 ? inputShape[0] : -1;
            if (shape[i] < 0)
            {
                throw new OrtException(OrtErrorCode.NotImplemented, $"Output {declared} has a free dimension other than the batch; Run cannot size it.");
            }

            count *= shape[i];
        }

        return checked((int)count);
    }

    private static OrtTensorInfo Describe(string name, NodeMetadata node) =>
        node.IsTensor
            ? new OrtTensorInfo(name, (OrtElementType)(int)node.ElementDataType, [.. node.Dimensions.Select(d => (long)d)])
            : new OrtTensorInfo(name, OrtElementType.Undefined, []); // not a tensor (sequence, map)
}

/// <summary>What a model says about itself: producer (for example "pytorch") and custom metadata_props.</summary>
public sealed record OrtModelMetadata(string Producer, IReadOnlyDictionary<string, string> Custom)
{
    /// <summary>The metadata_props keys the broker's training script writes and the loader reads.</summary>
    public static readonly IReadOnlyList<string> KnownKeys = ["broker.preprocessing", "broker.input_layout", "broker.output", "broker.model_id"];
}
