// The slice of XGBoost's C API (c_api.h, 1.7) the broker uses, bound by function pointer from Debian's
// libxgboost.so.0. Loaded once per process; a missing library is one XgboostException naming the fix.
// Every call returns 0 or -1; Check turns -1 into XgboostException with XGBGetLastError's text.
using System.Runtime.InteropServices;

namespace Broker.Models.Xgboost;

internal static unsafe class XgboostNative
{
    public const string PathVariable = "BROKER_LIBXGBOOST";

    private static readonly Lazy<Api> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Api Functions => Loaded.Value;

    public static void Check(int status)
    {
        if (status != 0)
        {
            var message = Marshal.PtrToStringUTF8((IntPtr)Functions.GetLastError()) ?? "unknown XGBoost error";
            throw new XgboostException($"XGBoost: {message.Trim()}");
        }
    }

    private static Api Load()
    {
        var overridePath = Environment.GetEnvironmentVariable(PathVariable);
        string[] candidates = string.IsNullOrWhiteSpace(overridePath) ? ["libxgboost.so.0", "libxgboost.so"] : [overridePath];
        var errors = new List<string>();
        foreach (var candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return new Api(handle);
            }

            errors.Add(candidate);
        }

        throw new XgboostException(
            $"XGBoost native library not found (tried {string.Join(", ", errors)}). Install it with scripts/setup.sh " +
            $"(Debian package libxgboost0), or set {PathVariable} to the library's full path.");
    }

    internal sealed class Api
    {
        public Api(IntPtr lib)
        {
            GetLastError = (delegate* unmanaged[Cdecl]<byte*>)Export(lib, "XGBGetLastError");
            DMatrixCreateFromMat = (delegate* unmanaged[Cdecl]<float*, ulong, ulong, float, IntPtr*, int>)Export(lib, "XGDMatrixCreateFromMat");
            DMatrixSetFloatInfo = (delegate* unmanaged[Cdecl]<IntPtr, byte*, float*, ulong, int>)Export(lib, "XGDMatrixSetFloatInfo");
            DMatrixFree = (delegate* unmanaged[Cdecl]<IntPtr, int>)Export(lib, "XGDMatrixFree");
            BoosterCreate = (delegate* unmanaged[Cdecl]<IntPtr*, ulong, IntPtr*, int>)Export(lib, "XGBoosterCreate");
            BoosterFree = (delegate* unmanaged[Cdecl]<IntPtr, int>)Export(lib, "XGBoosterFree");
            BoosterSetParam = (delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, int>)Export(lib, "XGBoosterSetParam");
            BoosterUpdateOneIter = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, int>)Export(lib, "XGBoosterUpdateOneIter");
            BoosterPredictFromDense = (delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, IntPtr, ulong**, ulong*, float**, int>)Export(lib, "XGBoosterPredictFromDense");
            BoosterSaveModelToBuffer = (delegate* unmanaged[Cdecl]<IntPtr, byte*, ulong*, byte**, int>)Export(lib, "XGBoosterSaveModelToBuffer");
            BoosterLoadModelFromBuffer = (delegate* unmanaged[Cdecl]<IntPtr, byte*, ulong, int>)Export(lib, "XGBoosterLoadModelFromBuffer");
            BoosterGetNumFeature = (delegate* unmanaged[Cdecl]<IntPtr, ulong*, int>)Export(lib, "XGBoosterGetNumFeature");
            BoosterBoostedRounds = (delegate* unmanaged[Cdecl]<IntPtr, int*, int>)Export(lib, "XGBoosterBoostedRounds");
        }

        public delegate* unmanaged[Cdecl]<byte*> GetLastError { get; }

        public delegate* unmanaged[Cdecl]<float*, ulong, ulong, float, IntPtr*, int> DMatrixCreateFromMat { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, byte*, float*, ulong, int> DMatrixSetFloatInfo { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, int> DMatrixFree { get; }

        public delegate* unmanaged[Cdecl]<IntPtr*, ulong, IntPtr*, int> BoosterCreate { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, int> BoosterFree { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, int> BoosterSetParam { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, int> BoosterUpdateOneIter { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, IntPtr, ulong**, ulong*, float**, int> BoosterPredictFromDense { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, byte*, ulong*, byte**, int> BoosterSaveModelToBuffer { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, byte*, ulong, int> BoosterLoadModelFromBuffer { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, ulong*, int> BoosterGetNumFeature { get; }

        public delegate* unmanaged[Cdecl]<IntPtr, int*, int> BoosterBoostedRounds { get; }

        private static IntPtr Export(IntPtr lib, string name) =>
            NativeLibrary.TryGetExport(lib, name, out var address)
                ? address
                : throw new XgboostException($"XGBoost library lacks {name}: version 1.7 or newer is needed.");
    }
}
