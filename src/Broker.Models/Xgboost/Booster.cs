// A gradient-boosted tree ensemble held by XGBoost: trained from a dense matrix, saved to and loaded from
// XGBoost's JSON model format, and scored in batches with in-place prediction (no DMatrix per call).
// Prediction is safe from several threads: XGBoost keeps its output buffer per thread.
using System.Globalization;
using System.Text;

namespace Broker.Models.Xgboost;

public sealed unsafe class Booster : IDisposable
{
    private readonly BoosterHandle _handle;

    private Booster(BoosterHandle handle, int featureCount)
    {
        _handle = handle;
        FeatureCount = featureCount;
    }

    public int FeatureCount { get; private set; }

    public int Rounds
    {
        get
        {
            int rounds;
            XgboostNative.Check(XgboostNative.Functions.BoosterBoostedRounds(Raw, &rounds));
            return rounds;
        }
    }

    private IntPtr Raw => _handle.IsClosed ? throw new ObjectDisposedException(nameof(Booster)) : _handle.Raw;

    /// <summary>Trains <paramref name="rounds"/> boosting rounds on row-major <paramref name="rows"/> with 0/1 labels.</summary>
    public static Booster Train(ReadOnlySpan<float> rows, ReadOnlySpan<float> labels, int columns, IReadOnlyList<KeyValuePair<string, string>> parameters, int rounds)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var count = labels.Length;
        using var matrix = DMatrixHandle.FromDense(rows, count, columns);
        matrix.SetFloatInfo("label", labels);
        var booster = Create([matrix]);
        try
        {
            foreach (var (name, value) in parameters)
            {
                booster.SetParam(name, value);
            }

            for (var i = 0; i < rounds; i++)
            {
                XgboostNative.Check(XgboostNative.Functions.BoosterUpdateOneIter(booster.Raw, i, matrix.DangerousGetHandle()));
            }

            GC.KeepAlive(matrix);
            booster.FeatureCount = columns;
            return booster;
        }
        catch
        {
            booster.Dispose();
            throw;
        }
    }

    /// <summary>Loads a model saved by <see cref="Save"/> (XGBoost JSON or UBJSON).</summary>
    public static Booster Load(ReadOnlySpan<byte> model)
    {
        var booster = Create([]);
        try
        {
            fixed (byte* p = model)
            {
                XgboostNative.Check(XgboostNative.Functions.BoosterLoadModelFromBuffer(booster.Raw, p, (ulong)model.Length));
            }

            // A saved model does not keep nthread, and 0 (all cores) makes every small batch fork OpenMP workers
            // that then spin-wait on the other cores (a fifth of the CPU in `broker bench score`). The broker
            // parallelizes across alerts, so a prediction runs on its caller's thread.
            booster.SetParam("nthread", "1");
            ulong features;
            XgboostNative.Check(XgboostNative.Functions.BoosterGetNumFeature(booster.Raw, &features));
            booster.FeatureCount = checked((int)features);
            return booster;
        }
        catch
        {
            booster.Dispose();
            throw;
        }
    }

    /// <summary>The model in XGBoost's JSON format (deterministic for a given model).</summary>
    public byte[] Save()
    {
        var config = "{\"format\": \"json\"}\0"u8;
        ulong length;
        byte* data;
        fixed (byte* c = config)
        {
            XgboostNative.Check(XgboostNative.Functions.BoosterSaveModelToBuffer(Raw, c, &length, &data));
        }

        return new ReadOnlySpan<byte>(data, checked((int)length)).ToArray();
    }

    /// <summary>Scores <paramref name="rowCount"/> row-major rows (NaN = missing) into <paramref name="output"/>.</summary>
    public void Predict(ReadOnlySpan<float> rows, int rowCount, Span<float> output)
    {
        if (rowCount == 0)
        {
            return;
        }

        if (rows.Length < rowCount * FeatureCount || output.Length < rowCount)
        {
            throw new ArgumentException($"{rowCount} rows of {FeatureCount} features need {rowCount * FeatureCount} values and {rowCount} outputs.");
        }

        fixed (float* data = rows)
        {
            // The array interface points XGBoost at our buffer; "cache_id": 0 is required by 1.7's in-place predict.
            var array = string.Create(CultureInfo.InvariantCulture,
                $"{{\"data\": [{(ulong)data}, true], \"shape\": [{rowCount}, {FeatureCount}], \"typestr\": \"<f4\", \"version\": 3}}\0");
            var arrayBytes = Encoding.ASCII.GetBytes(array);
            var config = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false, \"cache_id\": 0, \"missing\": NaN}\0"u8;
            ulong* shape;
            ulong dims;
            float* result;
            fixed (byte* a = arrayBytes)
            fixed (byte* c = config)
            {
                XgboostNative.Check(XgboostNative.Functions.BoosterPredictFromDense(Raw, a, c, IntPtr.Zero, &shape, &dims, &result));
            }

            new ReadOnlySpan<float>(result, rowCount).CopyTo(output);
        }

        GC.KeepAlive(_handle);
    }

    public void Dispose() => _handle.Dispose();

    private static Booster Create(DMatrixHandle[] cache)
    {
        var raws = new IntPtr[cache.Length];
        for (var i = 0; i < cache.Length; i++)
        {
            raws[i] = cache[i].DangerousGetHandle();
        }

        IntPtr raw;
        fixed (IntPtr* r = raws)
        {
            XgboostNative.Check(XgboostNative.Functions.BoosterCreate(r, (ulong)raws.Length, &raw));
        }

        var handle = new BoosterHandle();
        handle.Adopt(raw);
        return new Booster(handle, 0);
    }

    private void SetParam(string name, string value)
    {
        var n = Encoding.UTF8.GetBytes(name + "\0");
        var v = Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* pn = n)
        fixed (byte* pv = v)
        {
            XgboostNative.Check(XgboostNative.Functions.BoosterSetParam(Raw, pn, pv));
        }
    }
}
