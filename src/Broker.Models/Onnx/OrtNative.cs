// The slice of ONNX Runtime's C API (onnxruntime_c_api.h, OrtApi version 17) the broker uses. The API is one
// append-only table of function pointers returned by OrtGetApiBase()->GetApi(version); entries are read by
// their index in that struct (indexes listed in ../docs or the header; a test loads a model and reads its
// metadata, which would fail loudly if one were wrong). Every call returns an OrtStatus*: null is success,
// anything else is turned into OrtException with ORT's code and message, and released.
using System.Runtime.InteropServices;

namespace Broker.Models.Onnx;

internal static unsafe class OrtNative
{
    public const string PathVariable = "BROKER_LIBONNXRUNTIME";
    public const string LibraryFile = "libonnxruntime.so.1";
    public const uint ApiVersion = 17;

    private static readonly Lazy<Api> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Api Functions => Loaded.Value;

    public static void Check(IntPtr status)
    {
        if (status == IntPtr.Zero)
        {
            return;
        }

        var api = Functions;
        var code = (OrtErrorCode)api.GetErrorCode(status);
        var message = Marshal.PtrToStringUTF8((IntPtr)api.GetErrorMessage(status)) ?? "unknown error";
        api.ReleaseStatus(status);
        throw new OrtException(code, $"ONNX Runtime ({code}): {message.Trim()}");
    }

    /// <summary>Where the library is looked for: the override variable, then .deps/ of the tree, then the loader path.</summary>
    public static IReadOnlyList<string> Candidates()
    {
        var overridePath = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            return [overridePath];
        }

        var list = new List<string>();
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, ".deps", "onnxruntime", LibraryFile);
                if (File.Exists(path) && !list.Contains(path))
                {
                    list.Add(path);
                    break;
                }
            }
        }

        list.Add(LibraryFile);
        return list;
    }

    private static Api Load()
    {
        var candidates = Candidates();
        foreach (var candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var lib) && NativeLibrary.TryGetExport(lib, "OrtGetApiBase", out var getBase))
            {
                var apiBase = ((delegate* unmanaged[Cdecl]<IntPtr>)getBase)();
                var getApi = *(delegate* unmanaged[Cdecl]<uint, IntPtr*>*)apiBase;
                var table = getApi(ApiVersion);
                if (table is null)
                {
                    throw new OrtException(OrtErrorCode.LibraryMissing, $"{candidate} does not offer ONNX Runtime API version {ApiVersion} (too old).");
                }

                return new Api(table);
            }
        }

        throw new OrtException(
            OrtErrorCode.LibraryMissing,
            $"ONNX Runtime native library not found (tried {string.Join(", ", candidates)}). Run scripts/setup.sh " +
            $"(it fetches {LibraryFile} into .deps/onnxruntime), or set {PathVariable} to the library's full path.");
    }

    /// <summary>The OrtApi function table, typed. Indexes are positions in struct OrtApi.</summary>
    internal sealed class Api
    {
        public Api(IntPtr* t)
        {
            GetErrorCode = (delegate* unmanaged[Cdecl]<IntPtr, int>)t[1];
            GetErrorMessage = (delegate* unmanaged[Cdecl]<IntPtr, byte*>)t[2];
            CreateEnv = (delegate* unmanaged[Cdecl]<int, byte*, IntPtr*, IntPtr>)t[3];
            CreateSession = (delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr, IntPtr*, IntPtr>)t[7];
            CreateSessionFromArray = (delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr>)t[8];
            Run = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)t[9];
            CreateSessionOptions = (delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)t[10];
            SetSessionGraphOptimizationLevel = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)t[23];
            SetIntraOpNumThreads = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)t[24];
            SetInterOpNumThreads = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)t[25];
            SessionGetInputCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[30];
            SessionGetOutputCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[31];
            SessionGetInputTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr>)t[33];
            SessionGetOutputTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr>)t[34];
            SessionGetInputName = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr>)t[36];
            SessionGetOutputName = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr>)t[37];
            CreateTensorWithDataAsOrtValue = (delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)t[49];
            CastTypeInfoToTensorInfo = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)t[55];
            GetTensorElementType = (delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr>)t[60];
            GetDimensionsCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[61];
            GetDimensions = (delegate* unmanaged[Cdecl]<IntPtr, long*, nuint, IntPtr>)t[62];
            CreateCpuMemoryInfo = (delegate* unmanaged[Cdecl]<int, int, IntPtr*, IntPtr>)t[69];
            AllocatorFree = (delegate* unmanaged[Cdecl]<IntPtr, void*, IntPtr>)t[76];
            GetAllocatorWithDefaultOptions = (delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)t[78];
            ReleaseEnv = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[92];
            ReleaseStatus = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[93];
            ReleaseMemoryInfo = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[94];
            ReleaseSession = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[95];
            ReleaseValue = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[96];
            ReleaseTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[98];
            ReleaseSessionOptions = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[100];
            SessionGetModelMetadata = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)t[111];
            ModelMetadataGetProducerName = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr>)t[112];
            ModelMetadataLookupCustomMetadataMap = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte*, byte**, IntPtr>)t[116];
            ReleaseModelMetadata = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[118];
            AddSessionConfigEntry = (delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, IntPtr>)t[130];
        }

        public delegate* unmanaged[Cdecl]<IntPtr, int> GetErrorCode { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, byte*> GetErrorMessage { get; }

        public delegate* unmanaged[Cdecl]<int, byte*, IntPtr*, IntPtr> CreateEnv { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr, IntPtr*, IntPtr> CreateSession { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr> CreateSessionFromArray { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr> Run { get; }

        public delegate* unmanaged[Cdecl]<IntPtr*, IntPtr> CreateSessionOptions { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> SetSessionGraphOptimizationLevel { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> SetIntraOpNumThreads { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> SetInterOpNumThreads { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> SessionGetInputCount { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> SessionGetOutputCount { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr> SessionGetInputTypeInfo { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr> SessionGetOutputTypeInfo { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetInputName { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetOutputName { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr> CreateTensorWithDataAsOrtValue { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr> CastTypeInfoToTensorInfo { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr> GetTensorElementType { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> GetDimensionsCount { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, long*, nuint, IntPtr> GetDimensions { get; }

        public delegate* unmanaged[Cdecl]<int, int, IntPtr*, IntPtr> CreateCpuMemoryInfo { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void*, IntPtr> AllocatorFree { get; }

        public delegate* unmanaged[Cdecl]<IntPtr*, IntPtr> GetAllocatorWithDefaultOptions { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseEnv { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseStatus { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseMemoryInfo { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseSession { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseValue { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseTypeInfo { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseSessionOptions { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr> SessionGetModelMetadata { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetProducerName { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte*, byte**, IntPtr> ModelMetadataLookupCustomMetadataMap { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseModelMetadata { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, IntPtr> AddSessionConfigEntry { get; }
    }
}
