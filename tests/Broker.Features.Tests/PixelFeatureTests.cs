using Broker.Features.Catalog;
using Broker.Features.Pixels;
using Broker.Features.Stamps;
using static Broker.Features.Tests.AnalyticStamps;

namespace Broker.Features.Tests;

/// <summary>Each pixel feature on stamps whose true value is known analytically, with a stated tolerance.</summary>
public sealed class PixelFeatureTests
{
    [Fact]
    public void Gaussian_psf_of_known_fwhm_flux_and_offset_is_recovered()
    {
        const double fwhm = 3.0, flux = 2000, ox = 0.3, oy = -0.2;
        var gen = new AnalyticStamps(11);
        var d = gen.Noise(1);
        AddGaussian(d, flux, fwhm, Center + ox, Center + oy);
        var f = DiffFeatures(d, seeing: fwhm);

        // Pixels integrate the PSF, which widens it by a 1-px box: sigma_eff^2 = sigma^2 + 1/12.
        var sigma = Math.Sqrt(Math.Pow(fwhm / 2.3548, 2) + (1.0 / 12));
        var trueAmplitude = flux / (2 * Math.PI * sigma * sigma);
        // Noise 1 per pixel against a ~186-sigma peak: width within 3%, centre within 0.05 px, amplitude within 4%
        // (the MAD noise estimate itself is good to ~2%).
        Assert.InRange(Get(f, FeatureId.DiffGaussSigma), sigma * 0.97, sigma * 1.03);
        Assert.InRange(Get(f, FeatureId.DiffGaussOffset), Math.Sqrt((ox * ox) + (oy * oy)) - 0.05, Math.Sqrt((ox * ox) + (oy * oy)) + 0.05);
        Assert.InRange(Get(f, FeatureId.DiffGaussAmplitude), trueAmplitude * 0.96, trueAmplitude * 1.04);
        Assert.InRange(Get(f, FeatureId.DiffFwhmOverSeeing), (sigma * 2.3548 / fwhm) - 0.03, (sigma * 2.3548 / fwhm) + 0.03);
        Assert.InRange(Get(f, FeatureId.DiffGaussCorrelation), 0.99, 1.0);
        Assert.InRange(Get(f, FeatureId.DiffGaussChi2), 0.7, 1.4);
        // A round PSF: no negative pixels near it, small ellipticity. The 0.3 px offset alone unbalances the
        // quadrants (noise-free value 0.19); a centred PSF is tested below.
        Assert.Equal(0, Get(f, FeatureId.DiffNeg3Sigma7x7));
        Assert.InRange(Get(f, FeatureId.DiffQuadrantAsymmetry), 0.14, 0.24);
        Assert.InRange(Get(f, FeatureId.DiffEllipticity), 0, 0.1);
        Assert.InRange(Get(f, FeatureId.DiffWideElongation), 1, 1.3);
        // Matched filter (width sf = seeing sigma) on a source of width ss offset by r, unit noise:
        // flux sf^2 / (sf^2 + ss^2) exp(-r^2 / 2(sf^2 + ss^2)) / sqrt(pi sf^2) = 423.5 here.
        var sf2 = Math.Pow(fwhm / 2.3548, 2);
        var expectedSnr = flux * sf2 / (sf2 + (sigma * sigma)) * Math.Exp(-((ox * ox) + (oy * oy)) / (2 * (sf2 + (sigma * sigma)))) / Math.Sqrt(Math.PI * sf2);
        Assert.InRange(Get(f, FeatureId.DiffMatchedFilterSnr), expectedSnr * 0.97, expectedSnr * 1.03);
        // Flux of a 1.306-px-sigma PSF in the central 3x3 over the 7x7: erf(1.5/(s sqrt2))^2 / erf(3.5/(s sqrt2))^2 = 0.570.
        Assert.InRange(Get(f, FeatureId.DiffConcentration), 0.53, 0.6);
        Assert.InRange(Get(f, FeatureId.DiffSharpness), 0.15, 0.45);
        Assert.InRange(Get(f, FeatureId.DiffPeakOffset), 0, 1.01);
    }

    [Fact]
    public void Centred_psf_has_balanced_quadrants()
    {
        var gen = new AnalyticStamps(18);
        var d = gen.Noise(1);
        AddGaussian(d, 2000, 3.0, Center, Center);
        Assert.InRange(Get(DiffFeatures(d), FeatureId.DiffQuadrantAsymmetry), 0, 0.03);
    }

    [Fact]
    public void Dipole_shows_negative_pixels_and_asymmetry()
    {
        var gen = new AnalyticStamps(12);
        var d = gen.Noise(1);
        AddGaussian(d, 1500, 3.0, Center + 1.2, Center);
        AddGaussian(d, -1500, 3.0, Center - 1.2, Center);
        var f = DiffFeatures(d);

        // Equal and opposite lobes: negative flux matches positive flux within 20%.
        Assert.InRange(Get(f, FeatureId.DiffNegativeToPositive), 0.8, 1.2);
        Assert.True(Get(f, FeatureId.DiffNeg3Sigma5x5) >= 6, $"n3sig 5x5 = {Get(f, FeatureId.DiffNeg3Sigma5x5)}");
        Assert.True(Get(f, FeatureId.DiffNeg2Sigma7x7) >= Get(f, FeatureId.DiffNeg2Sigma5x5));
        // Two quadrants hold +P and two -P: (P - (-P)) / 4P = 0.5, the value of an ideal dipole (a PSF gives ~0).
        Assert.InRange(Get(f, FeatureId.DiffQuadrantAsymmetry), 0.4, 0.55);
    }

    [Fact]
    public void Single_hot_pixel_is_sharp_and_concentrated()
    {
        var gen = new AnalyticStamps(13);
        var d = gen.Noise(1);
        d[(Center * Size) + Center] += 500;
        var f = DiffFeatures(d);

        // All flux in one pixel: peak fraction and concentration ~1, sharpness ~1 (within the noise of 8 neighbours).
        Assert.InRange(Get(f, FeatureId.DiffPeakFraction), 0.95, 1.05);
        Assert.InRange(Get(f, FeatureId.DiffConcentration), 0.9, 1.1);
        Assert.InRange(Get(f, FeatureId.DiffSharpness), 0.98, 1.01);
        Assert.InRange(Get(f, FeatureId.DiffPeakSnr), 475, 525);
        Assert.Equal(0, Get(f, FeatureId.DiffPeakOffset));
        // The fit collapses to the narrowest width allowed.
        Assert.InRange(Get(f, FeatureId.DiffGaussSigma), GaussianFit.MinSigma, 0.5);
    }

    [Fact]
    public void Pure_noise_matches_gaussian_expectations()
    {
        var gen = new AnalyticStamps(14);
        var d = gen.Noise(3.5);
        var f = DiffFeatures(d);

        // Unit-normal expectations: E|z| = 0.798; P(z > 3) = 0.00135; a 5x5 maximum rarely exceeds 3.5 sigma.
        Assert.InRange(Get(f, FeatureId.DiffMeanAbs7x7), 0.55, 1.05);
        Assert.InRange(Get(f, FeatureId.DiffSignificantFraction), 0, 0.005);
        Assert.InRange(Get(f, FeatureId.DiffPeakSnr), 0, 3.5);
        Assert.InRange(Get(f, FeatureId.DiffNeg3Sigma7x7), 0, 2);
        Assert.InRange(Get(f, FeatureId.DiffMatchedFilterSnr), -4, 4);
        Assert.InRange(Get(f, FeatureId.DiffLineExcess), -4, 4);
        Assert.Equal(0, Get(f, FeatureId.DiffMaskedFraction));
        Assert.Equal(31.5f, Get(f, FeatureId.StampEdgeDistance));
    }

    [Fact]
    public void Nan_masked_edge_gives_exact_mask_fraction_and_edge_distance()
    {
        var gen = new AnalyticStamps(15);
        var d = gen.Noise(1);
        AddGaussian(d, 800, 3.0, Center, Center);
        for (var y = 0; y < Size; y++)
        {
            for (var x = 40; x < Size; x++)
            {
                d[(y * Size) + x] = float.NaN;
            }
        }

        var f = DiffFeatures(d);

        Assert.Equal(23f / 63f, Get(f, FeatureId.DiffMaskedFraction), 6);
        Assert.Equal(9f, Get(f, FeatureId.StampEdgeDistance));
        // The source is untouched by the mask: its fit is still good.
        Assert.InRange(Get(f, FeatureId.DiffGaussSigma), 1.2, 1.35);
        Assert.All(FeatureCatalog.InGroup(FeatureGroup.Pixel).Where(i => i.Inputs == "difference stamp"),
            i => Assert.False(float.IsNaN(f[i.Index]), i.Name));
    }

    [Fact]
    public void Streak_and_bad_column_are_long_lines()
    {
        var gen = new AnalyticStamps(16);
        var streak = gen.Noise(1);
        for (var x = 0; x < Size; x++)
        {
            AddGaussian(streak, 60, 3.0, x, Center + ((x - Center) * 0.5));
        }

        var column = gen.Noise(1);
        for (var y = 0; y < Size; y++)
        {
            column[(y * Size) + Center] += 8;
        }

        var fs = DiffFeatures(streak);
        var fc = DiffFeatures(column);
        Assert.True(Get(fs, FeatureId.DiffWideElongation) > 5, $"streak elongation {Get(fs, FeatureId.DiffWideElongation)}");
        Assert.True(Get(fs, FeatureId.DiffSignificantFraction) > 0.03);
        // A column 8 sigma high over 56 pixels: mean / (sigma / sqrt 56) = 8 sqrt(56) = 60.
        Assert.InRange(Get(fc, FeatureId.DiffLineExcess), 50, 70);
        Assert.True(Get(fc, FeatureId.DiffWideElongation) > 10);
    }

    [Fact]
    public void Triplet_features_compare_difference_science_and_template()
    {
        var gen = new AnalyticStamps(17);
        var sci = gen.Noise(2);
        var tmpl = gen.Noise(1);
        var diff = gen.Noise(2.2);
        // A host galaxy in both images, and a new point source in science and difference.
        AddGaussian(sci, 3000, 8, Center + 3, Center);
        AddGaussian(tmpl, 3000, 8, Center + 3, Center);
        AddGaussian(sci, 1000, 3, Center, Center);
        AddGaussian(diff, 1000, 3, Center, Center);
        using var d = Stamp.From(Image(diff));
        using var s = Stamp.From(Image(sci));
        using var t = Stamp.From(Image(tmpl));
        var f = new float[FeatureCatalog.Count];
        PixelFeatures.Compute(d, s, t, 3, f);

        Assert.InRange(Get(f, FeatureId.DiffToScienceNoise), 1.0, 1.2);
        Assert.InRange(Get(f, FeatureId.DiffScienceCorrelation), 0.8, 1);
        Assert.InRange(Get(f, FeatureId.ScienceTemplateCorrelation), 0.3, 1);
        // Box 2 holds all the difference flux but only part of the host: ratio below 1, well above 0.
        Assert.InRange(Get(f, FeatureId.DiffToScienceFlux), 0.3, 0.95);
        Assert.True(Get(f, FeatureId.TemplateCenterSnr) > 10);
        Assert.InRange(Get(f, FeatureId.TemplatePeakOffset), 2, 4);
        Assert.Equal(0, Get(f, FeatureId.SciencePeakOffset));
    }

    [Fact]
    public void Missing_stamps_give_nan_pixel_features()
    {
        var f = new float[FeatureCatalog.Count];
        PixelFeatures.Compute(null, null, null, 2, f);
        Assert.All(FeatureCatalog.InGroup(FeatureGroup.Pixel), i => Assert.True(float.IsNaN(f[i.Index]), i.Name));
    }

    [Fact]
    public void Constant_stamp_gives_finite_features()
    {
        var d = new float[Size * Size];
        Array.Fill(d, 5f);
        var f = DiffFeatures(d);
        Assert.All(FeatureCatalog.InGroup(FeatureGroup.Pixel).Where(i => i.Inputs == "difference stamp"),
            i => Assert.False(float.IsInfinity(f[i.Index]), i.Name));
    }
}
