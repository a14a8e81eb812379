// Owned native handles: released exactly once, by Dispose or by the finalizer if a caller forgot.
using System.Runtime.InteropServices;

namespace Broker.Models.Xgboost;

internal sealed unsafe class DMatrixHandle : SafeHandle
{
    public DMatrixHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static DMatrixHandle FromDense(ReadOnlySpan<float> rows, int rowCount, int columns)
    {
        if (rows.Length < rowCount * columns)
        {
            throw new ArgumentException($"{rowCount} x {columns} matrix needs {rowCount * columns} values, got {rows.Length}.", nameof(rows));
        }

        IntPtr raw;
        fixed (float* data = rows)
        {
            XgboostNative.Check(XgboostNative.Functions.DMatrixCreateFromMat(data, (ulong)rowCount, (ulong)columns, float.NaN, &raw));
        }

        var h = new DMatrixHandle();
        h.SetHandle(raw);
        return h;
    }

    public void SetFloatInfo(string field, ReadOnlySpan<float> values)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(field + "\0");
        fixed (byte* n = name)
        fixed (float* v = values)
        {
            XgboostNative.Check(XgboostNative.Functions.DMatrixSetFloatInfo(handle, n, v, (ulong)values.Length));
        }
    }

    protected override bool ReleaseHandle() => XgboostNative.Functions.DMatrixFree(handle) == 0;
}

internal sealed class BoosterHandle : SafeHandle
{
    public BoosterHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public IntPtr Raw => handle;

    public void Adopt(IntPtr raw) => SetHandle(raw);

    protected override unsafe bool ReleaseHandle() => XgboostNative.Functions.BoosterFree(handle) == 0;
}
