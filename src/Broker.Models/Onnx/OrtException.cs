namespace Broker.Models.Onnx;

/// <summary>ONNX Runtime's error codes (its ErrorCode, as in onnxruntime_c_api.h), plus the broker's own checks.</summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    ExecutionProviderFailed = 11,

    /// <summary>The caller's tensor does not fit the model's declared input or output (checked before ORT runs).</summary>
    ShapeMismatch = 101,
}

/// <summary>ONNX Runtime refused a call (its code and its own message), or the binding rejected the input first.</summary>
public sealed class OrtException : Exception
{
    public OrtException(OrtErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    public OrtException()
        : this(OrtErrorCode.Fail, "ONNX Runtime error")
    {
    }

    public OrtException(string message)
        : this(OrtErrorCode.Fail, message)
    {
    }

    public OrtException(string message, Exception inner)
        : base(message, inner)
    {
        Code = OrtErrorCode.Fail;
    }

    public OrtException(OrtErrorCode code, string message, Exception inner)
        : base(message, inner)
    {
        Code = code;
    }

    public OrtErrorCode Code { get; }
}
