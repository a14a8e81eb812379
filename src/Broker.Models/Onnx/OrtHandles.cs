// Owned ONNX Runtime objects: released exactly once, by Dispose or by the finalizer if a caller forgot.
// The environment is process-wide (ORT wants one, and it must outlive every session), so it is never released.
using System.Runtime.InteropServices;

namespace Broker.Models.Onnx;

internal sealed class SessionHandle : SafeHandle
{
    public SessionHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public void Adopt(IntPtr raw) => SetHandle(raw);

    protected override unsafe bool ReleaseHandle()
    {
        OrtNative.Functions.ReleaseSession(handle);
        return true;
    }
}

internal sealed class SessionOptionsHandle : SafeHandle
{
    public SessionOptionsHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static unsafe SessionOptionsHandle Create()
    {
        IntPtr raw;
        OrtNative.Check(OrtNative.Functions.CreateSessionOptions(&raw));
        var h = new SessionOptionsHandle();
        h.SetHandle(raw);
        return h;
    }

    protected override unsafe bool ReleaseHandle()
    {
        OrtNative.Functions.ReleaseSessionOptions(handle);
        return true;
    }
}

/// <summary>The process-wide environment and the CPU memory description every input tensor uses.</summary>
internal static unsafe class OrtProcess
{
    private const int LogLevelError = 3; // ORT_LOGGING_LEVEL_ERROR: warnings would clutter the CLI
    private static readonly Lazy<(IntPtr Env, IntPtr CpuMemory)> Created = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    public static IntPtr Env => Created.Value.Env;

    public static IntPtr CpuMemory => Created.Value.CpuMemory;

    private static (IntPtr, IntPtr) Create()
    {
        var api = OrtNative.Functions;
        IntPtr env, memory;
        var name = "broker\0"u8;
        fixed (byte* n = name)
        {
            OrtNative.Check(api.CreateEnv(LogLevelError, n, &env));
        }

        OrtNative.Check(api.CreateCpuMemoryInfo(0 /* OrtDeviceAllocator */, 0 /* OrtMemTypeDefault */, &memory));
        return (env, memory);
    }

    public static IntPtr DefaultAllocator()
    {
        IntPtr allocator;
        OrtNative.Check(OrtNative.Functions.GetAllocatorWithDefaultOptions(&allocator));
        return allocator;
    }

    /// <summary>Copies a string ORT allocated with the default allocator, then frees it.</summary>
    public static string? TakeString(IntPtr allocator, byte* text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8((IntPtr)text);
        }
        finally
        {
            OrtNative.Check(OrtNative.Functions.AllocatorFree(allocator, text));
        }
    }
}
