// One loaded ONNX model, safe to share between threads (ORT's Run is thread-safe). What the model takes and
// gives (names, element types, shapes) is read from the model itself when it is opened; Run checks the caller's
// tensor against that before ORT sees it, and writes the output straight into the caller's span (no copy, no
// managed allocation per call).
using System.Runtime.InteropServices;
using System.Text;

namespace Broker.Models.Onnx;

public sealed unsafe class OrtSession : IDisposable
{
    private readonly SessionHandle _handle;
    private readonly IntPtr[] _inputNames;  // pinned: UTF-8 names ORT reads on every Run
    private readonly IntPtr[] _outputNames;
    private readonly byte[][] _nameStorage;

    private OrtSession(SessionHandle handle)
    {
        _handle = handle;
        var raw = handle.DangerousGetHandle();
        var api = OrtNative.Functions;
        var allocator = OrtProcess.DefaultAllocator();
        nuint inputs, outputs;
        OrtNative.Check(api.SessionGetInputCount(raw, &inputs));
        OrtNative.Check(api.SessionGetOutputCount(raw, &outputs));
        Inputs = [.. Enumerable.Range(0, (int)inputs).Select(i => Describe(raw, allocator, (nuint)i, input: true))];
        Outputs = [.. Enumerable.Range(0, (int)outputs).Select(i => Describe(raw, allocator, (nuint)i, input: false))];
        Metadata = ReadMetadata(raw, allocator);

        _nameStorage = [.. Inputs.Concat(Outputs).Select(t => Pinned(t.Name))];
        _inputNames = GC.AllocateArray<IntPtr>(Inputs.Count, pinned: true);
        _outputNames = GC.AllocateArray<IntPtr>(Outputs.Count, pinned: true);
        for (var i = 0; i < Inputs.Count; i++)
        {
            _inputNames[i] = (IntPtr)Unsafe(_nameStorage[i]);
        }

        for (var i = 0; i < Outputs.Count; i++)
        {
            _outputNames[i] = (IntPtr)Unsafe(_nameStorage[Inputs.Count + i]);
        }
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
        var api = OrtNative.Functions;
        using var sessionOptions = SessionOptionsHandle.Create();
        var so = sessionOptions.DangerousGetHandle();
        OrtNative.Check(api.SetIntraOpNumThreads(so, options.IntraOpThreads));
        OrtNative.Check(api.SetInterOpNumThreads(so, options.InterOpThreads));
        OrtNative.Check(api.SetSessionGraphOptimizationLevel(so, options.OptimizationLevel));
        fixed (byte* key = "session.intra_op.allow_spinning\0"u8, value = "0\0"u8)
        {
            OrtNative.Check(api.AddSessionConfigEntry(so, key, value));
        }

        SessionHandle? handle = new SessionHandle();
        try
        {
            IntPtr raw;
            fixed (byte* bytes = model)
            {
                try
                {
                    OrtNative.Check(api.CreateSessionFromArray(OrtProcess.Env, bytes, (nuint)model.Length, so, &raw));
                }
                catch (OrtException e) when (origin is not null)
                {
                    throw new OrtException(e.Code, $"{origin}: {e.Message}");
                }
            }

            handle.Adopt(raw);
            var session = new OrtSession(handle);
            handle = null; // the session owns it now
            return session;
        }
        finally
        {
            handle?.Dispose();
        }
    }

    /// <summary>
    /// Runs a model with one float input and one float output. <paramref name="inputShape"/> must match the
    /// declared input (free dimensions take any size); the output's free leading dimension is the input's batch.
    /// Returns the number of output values written.
    /// </summary>
    public int Run(ReadOnlySpan<float> input, ReadOnlySpan<long> inputShape, Span<float> output)
    {
        if (Inputs.Count != 1 || Outputs.Count != 1 || Inputs[0].ElementType != OrtElementType.Float || Outputs[0].ElementType != OrtElementType.Float)
        {
            throw new OrtException(OrtErrorCode.NotImplemented,
                $"Run takes models with one float input and one float output; this one has inputs [{string.Join("; ", Inputs)}] and outputs [{string.Join("; ", Outputs)}].");
        }

        CheckInput(Inputs[0], input.Length, inputShape);
        Span<long> outputShape = stackalloc long[Outputs[0].Shape.Count];
        var outputCount = OutputShape(Outputs[0], inputShape, outputShape);
        if (output.Length < outputCount)
        {
            throw new OrtException(OrtErrorCode.ShapeMismatch, $"Output span holds {output.Length} values; the model writes {outputCount}.");
        }

        var api = OrtNative.Functions;
        var added = false;
        IntPtr inputValue = IntPtr.Zero, outputValue = IntPtr.Zero;
        try
        {
            _handle.DangerousAddRef(ref added);
            fixed (float* inData = input)
            fixed (float* outData = output)
            fixed (long* inShape = inputShape)
            fixed (long* outShape = outputShape)
            fixed (IntPtr* inNames = _inputNames)
            fixed (IntPtr* outNames = _outputNames)
            {
                OrtNative.Check(api.CreateTensorWithDataAsOrtValue(OrtProcess.CpuMemory, inData, (nuint)(input.Length * sizeof(float)),
                    inShape, (nuint)inputShape.Length, (int)OrtElementType.Float, &inputValue));
                OrtNative.Check(api.CreateTensorWithDataAsOrtValue(OrtProcess.CpuMemory, outData, (nuint)(outputCount * sizeof(float)),
                    outShape, (nuint)outputShape.Length, (int)OrtElementType.Float, &outputValue));
                OrtNative.Check(api.Run(_handle.DangerousGetHandle(), IntPtr.Zero, inNames, &inputValue, 1, outNames, 1, &outputValue));
            }

            return outputCount;
        }
        finally
        {
            if (inputValue != IntPtr.Zero)
            {
                api.ReleaseValue(inputValue);
            }

            if (outputValue != IntPtr.Zero)
            {
                api.ReleaseValue(outputValue);
            }

            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    public void Dispose() => _handle.Dispose();

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

    private static OrtTensorInfo Describe(IntPtr session, IntPtr allocator, nuint index, bool input)
    {
        var api = OrtNative.Functions;
        byte* name;
        OrtNative.Check(input ? api.SessionGetInputName(session, index, allocator, &name) : api.SessionGetOutputName(session, index, allocator, &name));
        var text = OrtProcess.TakeString(allocator, name) ?? $"#{index}";
        IntPtr typeInfo;
        OrtNative.Check(input ? api.SessionGetInputTypeInfo(session, index, &typeInfo) : api.SessionGetOutputTypeInfo(session, index, &typeInfo));
        try
        {
            IntPtr tensorInfo; // owned by typeInfo
            OrtNative.Check(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo));
            if (tensorInfo == IntPtr.Zero)
            {
                return new OrtTensorInfo(text, OrtElementType.Undefined, []); // not a tensor (sequence, map)
            }

            int elementType;
            nuint rank;
            OrtNative.Check(api.GetTensorElementType(tensorInfo, &elementType));
            OrtNative.Check(api.GetDimensionsCount(tensorInfo, &rank));
            var dims = new long[(int)rank];
            fixed (long* d = dims)
            {
                OrtNative.Check(api.GetDimensions(tensorInfo, d, rank));
            }

            return new OrtTensorInfo(text, (OrtElementType)elementType, dims);
        }
        finally
        {
            api.ReleaseTypeInfo(typeInfo);
        }
    }

    private static OrtModelMetadata ReadMetadata(IntPtr session, IntPtr allocator)
    {
        var api = OrtNative.Functions;
        IntPtr metadata;
        OrtNative.Check(api.SessionGetModelMetadata(session, &metadata));
        try
        {
            byte* producer;
            OrtNative.Check(api.ModelMetadataGetProducerName(metadata, allocator, &producer));
            var custom = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in OrtModelMetadata.KnownKeys)
            {
                var keyBytes = Encoding.UTF8.GetBytes(key + "\0");
                byte* value;
                fixed (byte* k = keyBytes)
                {
                    OrtNative.Check(api.ModelMetadataLookupCustomMetadataMap(metadata, allocator, k, &value));
                }

                if (OrtProcess.TakeString(allocator, value) is { } v)
                {
                    custom[key] = v;
                }
            }

            return new OrtModelMetadata(OrtProcess.TakeString(allocator, producer) ?? "", custom);
        }
        finally
        {
            api.ReleaseModelMetadata(metadata);
        }
    }

    private static byte[] Pinned(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var pinned = GC.AllocateArray<byte>(bytes.Length + 1, pinned: true);
        bytes.CopyTo(pinned, 0);
        return pinned;
    }

    private static byte* Unsafe(byte[] pinned) => (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0);
}

/// <summary>What a model says about itself: producer (for example "pytorch") and custom metadata_props.</summary>
public sealed record OrtModelMetadata(string Producer, IReadOnlyDictionary<string, string> Custom)
{
    /// <summary>The metadata_props keys the broker's training script writes and the loader reads.</summary>
    public static readonly IReadOnlyList<string> KnownKeys = ["broker.preprocessing", "broker.input_layout", "broker.output", "broker.model_id"];
}
