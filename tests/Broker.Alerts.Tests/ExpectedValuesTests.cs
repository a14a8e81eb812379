using System.Text.Json;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;

namespace Broker.Alerts.Tests;

/// <summary>Every fixture decodes to the values another implementation (python3-avro, astropy) recorded.</summary>
public sealed class ExpectedValuesTests
{
    public static TheoryData<string> Files => [.. Fixtures.ExpectedFiles];

    [Theory]
    [MemberData(nameof(Files))]
    public void Decoded_fields_and_cutout_pixels_match_the_independent_decoder(string file)
    {
        var alerts = new AlertDecoder().Decode(Fixtures.Bytes(file));
        var expected = Fixtures.Expected.GetProperty(file).EnumerateArray().ToList();
        Assert.Equal(expected.Count, alerts.Count);
        for (var i = 0; i < alerts.Count; i++)
        {
            var a = alerts[i];
            var e = expected[i];
            Assert.Equal(e.GetProperty("survey").GetString(), a.Survey.ToString());
            Assert.Equal(e.GetProperty("alert_id").GetInt64(), a.AlertId);
            Assert.Equal(e.GetProperty("object_id").GetString(), a.ObjectId);
            Assert.Equal(e.GetProperty("ra").GetDouble(), a.Ra, 12);
            Assert.Equal(e.GetProperty("dec").GetDouble(), a.Dec, 12);
            Assert.Equal(e.GetProperty("n_prv").GetInt32(), a.History.Count + a.UpperLimits.Count);
            if (a.Survey == Survey.Ztf)
            {
                Assert.Equal(e.GetProperty("jd").GetDouble() - 2400000.5, a.Mjd, 9);
                Assert.Equal(e.GetProperty("magpsf").GetDouble(), a.Mag, 6);
                Assert.Equal(e.GetProperty("n_prv_detections").GetInt32(), a.History.Count);
                Assert.Equal(e.GetProperty("isdiffpos").GetString() is "t" or "1", a.IsPositive);
                Assert.Equal(e.GetProperty("fid").GetInt32() switch { 1 => "g", 2 => "r", _ => "i" }, a.Band);
                Assert.Equal(e.GetProperty("rb").GetDouble(), a.Source["rb"].ToDouble(), 6);
            }
            else
            {
                Assert.Equal(e.GetProperty("mjd").GetDouble(), a.Mjd, 9);
                Assert.Equal(e.GetProperty("band").GetString(), a.Band);
                Assert.Equal(e.GetProperty("psfFlux").GetDouble(), a.Source["psfFlux"].ToDouble(), 3);
                Assert.Equal(e.GetProperty("psfFlux").GetDouble() > 0, a.IsPositive);
            }

            CheckCutout(e.GetProperty("science"), a.Science);
            CheckCutout(e.GetProperty("template"), a.Template);
            CheckCutout(e.GetProperty("difference"), a.Difference);
        }
    }

    private static void CheckCutout(JsonElement e, Cutout c)
    {
        switch (e.GetProperty("status").GetString())
        {
            case "absent":
                Assert.Equal(CutoutStatus.Absent, c.Status);
                break;
            case "jpeg":
                Assert.Equal(CutoutStatus.Jpeg, c.Status);
                Assert.Equal(e.GetProperty("bytes").GetInt32(), c.Bytes.Length);
                break;
            default:
                Assert.Equal(CutoutStatus.Fits, c.Status);
                var image = c.Image!;
                Assert.Equal(e.GetProperty("width").GetInt32(), image.Width);
                Assert.Equal(e.GetProperty("height").GetInt32(), image.Height);
                Assert.Equal(e.GetProperty("hdus").GetInt32(), c.Hdus.Count);
                Assert.Equal(e.GetProperty("nan_count").GetInt32(), image.NaNCount());
                var sum = e.GetProperty("finite_sum").GetDouble();
                Assert.True(Math.Abs(sum - image.FiniteSum()) <= 1e-6 * Math.Max(1, Math.Abs(sum)), $"pixel sum {image.FiniteSum()} vs {sum}");
                break;
        }
    }
}
