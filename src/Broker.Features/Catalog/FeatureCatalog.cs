// The catalog of every feature: name, unit, inputs, definition and lineage. Feature code writes values by
// FeatureId; this table is what users, models and docs/features.md see. Conventions used below:
// D, S, T = difference, science, template stamps with their median background subtracted; sigma_X = 1.4826 x
// the median absolute deviation of stamp X (outside the central 11x11 box); the candidate is at the stamp
// centre (or where ZTF's trimmed edge stamps put it); "box k" = the (2k+1)x(2k+1) pixels around it.
using System.Collections.Frozen;

namespace Broker.Features.Catalog;

public static class FeatureCatalog
{
    private const string DiffOnly = "difference stamp";
    private const string Triplet = "difference and science stamps";
    private const string Bloom = "Bloom et al. 2012 (PTF real/bogus)";
    private const string Brink = "Brink et al. 2013";

    public static IReadOnlyList<FeatureInfo> All { get; } = Build();

    public static int Count => All.Count;

    private static readonly FrozenDictionary<string, FeatureInfo> ByName =
        All.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    public static FeatureInfo Get(FeatureId id) => All[(int)id];

    public static bool TryGet(string name, out FeatureInfo info) => ByName.TryGetValue(name, out info!);

    // Built once: feature extraction walks a group for every alert.
    private static readonly FeatureInfo[][] Groups =
        [.. Enum.GetValues<FeatureGroup>().Select(g => All.Where(f => f.Group == g).ToArray())];

    public static IReadOnlyList<FeatureInfo> InGroup(FeatureGroup group) => Groups[(int)group];

    public static string[] Names => [.. All.Select(f => f.Name)];

    private static List<FeatureInfo> Build()
    {
        var list = new List<FeatureInfo>
        {
            P(FeatureId.DiffPeakSnr, "diff_peak_snr", "sigma", DiffOnly,
                "Brightest pixel of D in box 2, over sigma_D.", "Peak significance; all brokers' first cut."),
            P(FeatureId.DiffPeakOffset, "diff_peak_offset", "pixel", DiffOnly,
                "Distance from the candidate to the brightest pixel of D in box 5.", "Centroid checks of " + Bloom + "."),
            P(FeatureId.DiffNeg2Sigma5x5, "diff_neg2sig_5x5", "count", DiffOnly,
                "Number of pixels of D at or below -2 sigma_D in box 2 (5x5).", Bloom + ": n2sig3."),
            P(FeatureId.DiffNeg3Sigma5x5, "diff_neg3sig_5x5", "count", DiffOnly,
                "Number of pixels of D at or below -3 sigma_D in box 2 (5x5).", Bloom + ": n3sig3."),
            P(FeatureId.DiffNeg2Sigma7x7, "diff_neg2sig_7x7", "count", DiffOnly,
                "Number of pixels of D at or below -2 sigma_D in box 3 (7x7).", Bloom + ": n2sig5."),
            P(FeatureId.DiffNeg3Sigma7x7, "diff_neg3sig_7x7", "count", DiffOnly,
                "Number of pixels of D at or below -3 sigma_D in box 3 (7x7).", Bloom + ": n3sig5; ZTF nneg is the same idea."),
            P(FeatureId.DiffGaussAmplitude, "diff_gauss_amp", "sigma", DiffOnly,
                "Amplitude of a circular 2-D Gaussian (amplitude, centre, width) fitted to D in box 5 by Levenberg-Marquardt, over sigma_D.",
                Bloom + ": amp."),
            P(FeatureId.DiffGaussSigma, "diff_gauss_sigma", "pixel", DiffOnly,
                "Width (standard deviation) of the fitted Gaussian.", Bloom + ": scale."),
            P(FeatureId.DiffGaussChi2, "diff_gauss_chi2", "none", DiffOnly,
                "Reduced chi-square of the Gaussian fit with sigma_D per pixel.", Bloom + ": gauss."),
            P(FeatureId.DiffGaussCorrelation, "diff_gauss_corr", "none", DiffOnly,
                "Pearson correlation between the fitted Gaussian and D over box 5.", Bloom + ": corr."),
            P(FeatureId.DiffGaussOffset, "diff_gauss_offset", "pixel", DiffOnly,
                "Distance from the candidate to the fitted Gaussian centre.", "Misregistration test; " + Brink + "."),
            P(FeatureId.DiffFwhmOverSeeing, "diff_fwhm_over_seeing", "none", DiffOnly + " and seeing",
                "FWHM of the fitted Gaussian (2.3548 x width) over the image seeing (see seeing_px).",
                Bloom + ": normalized_fwhm; ZTF seeratio is the image-level analogue."),
            P(FeatureId.DiffQuadrantAsymmetry, "diff_quadrant_asym", "none", DiffOnly,
                "Sums of D in the four quadrants of box 3 (axes excluded): (max - min) / (sum of |quadrant| + sigma_D x sqrt(pixels)).",
                Bloom + ": sym."),
            P(FeatureId.DiffMeanAbs7x7, "diff_mean_abs_7x7", "sigma", DiffOnly,
                "Mean of |D| over box 3, over sigma_D.", Bloom + ": l1 (sum of absolute pixel values), per pixel."),
            P(FeatureId.DiffNegativeToPositive, "diff_neg_to_pos", "none", DiffOnly,
                "Flux of pixels below -2 sigma_D over flux of pixels above +2 sigma_D, in box 4 (dipoles and over-subtraction are high).",
                "ZTF sumrat inverted; " + Brink + "."),
            P(FeatureId.DiffConcentration, "diff_concentration", "none", DiffOnly,
                "Sum of D in box 1 over the sum in box 3 (the latter floored at 7 sigma_D).", "Cosmic-ray and hot-pixel test; " + Brink + "."),
            P(FeatureId.DiffPeakFraction, "diff_peak_fraction", "none", DiffOnly,
                "Peak pixel of D over the sum of D in box 2 (floored at 5 sigma_D): one-pixel events are near 1.", "Hot-pixel test."),
            P(FeatureId.DiffEllipticity, "diff_ellipticity", "none", DiffOnly + " and seeing",
                "1 - b/a from Gaussian-weighted second moments (weight width 2 x seeing sigma) of the positive part of D in box 5.",
                Bloom + ": ellipticity; ZTF elong."),
            P(FeatureId.DiffSignificantFraction, "diff_signif_fraction", "none", DiffOnly,
                "Fraction of the whole stamp's finite pixels above 3 sigma_D (streaks, ghosts, bad subtractions).",
                "Stamp-level cleanliness, as in " + Brink + "."),
            P(FeatureId.DiffWideElongation, "diff_wide_elong", "none", DiffOnly,
                "Square root of the ratio of the eigenvalues of the flux-weighted second moments of every pixel above 3 sigma_D in the whole stamp (1 when fewer than 5); streaks and bad columns are long.",
                "Streak test, in the spirit of Rubin's trailLength."),
            P(FeatureId.DiffLineExcess, "diff_line_excess", "sigma", DiffOnly,
                "Largest significance of the mean of D along the candidate's row or column, excluding box 3: mean / (sigma_D / sqrt(n)).",
                "Bad-column test; ZTF nbad counts flagged pixels instead."),
            P(FeatureId.DiffMatchedFilterSnr, "diff_matched_snr", "sigma", DiffOnly + " and seeing",
                "D correlated with a unit Gaussian of the seeing at the candidate: sum(D G) / (sigma_D sqrt(sum G^2)) over box 5.",
                Bloom + ": smooth1 (a filter output)."),
            P(FeatureId.DiffSharpness, "diff_sharpness", "none", DiffOnly,
                "(peak - mean of its 8 neighbours) / peak, at the brightest pixel of box 2 (peak floored at sigma_D): cosmic rays near 1, stars 0.1-0.4.",
                Bloom + ": smooth2 (a filter output)."),
            P(FeatureId.DiffMaskedFraction, "diff_masked_fraction", "none", DiffOnly,
                "Fraction of D's pixels that are NaN or infinite (masked, off-chip).", "Edge and mask test."),
            P(FeatureId.StampEdgeDistance, "stamp_edge_dist", "pixel", DiffOnly,
                "Distance from the candidate to the nearest stamp edge or masked pixel, capped at 32.",
                Bloom + ": min_distance_to_edge_in_new (here measured on the stamp)."),
            P(FeatureId.DiffToScienceNoise, "diff_to_sci_noise", "none", Triplet,
                "sigma_D / sigma_S: how much noisier the difference is than the science image.", "ZTF dsnrms/ssnrms, from the stamps."),
            P(FeatureId.ScienceCenterSnr, "sci_center_snr", "sigma", "science stamp",
                "Sum of S in box 1 over 3 sigma_S.", "Presence of the candidate in the new image."),
            P(FeatureId.TemplateCenterSnr, "ref_center_snr", "sigma", "template stamp",
                "Sum of T in box 1 over 3 sigma_T: a source in the reference at the candidate.", Bloom + ": mag_ref, maglim."),
            P(FeatureId.DiffToScienceFlux, "diff_to_sci_flux", "none", Triplet,
                "Sum of D over sum of S in box 2 (S floored at sigma_S), clipped to [-10, 10]: near 1 for a new point source on empty sky.",
                Bloom + ": flux_ratio."),
            P(FeatureId.TemplateToScienceSnr, "ref_to_sci_snr", "none", "science and template stamps",
                "ref_center_snr / sci_center_snr (denominator floored at 1), clipped to [-10, 10]: bright reference stars make residuals.",
                Bloom + ": flux_ratio against the reference source."),
            P(FeatureId.ScienceTemplateCorrelation, "sci_ref_corr", "none", "science and template stamps",
                "Pearson correlation of S and T over box 7.", "Scene similarity; " + Brink + "."),
            P(FeatureId.DiffScienceCorrelation, "diff_sci_corr", "none", Triplet,
                "Pearson correlation of D and S over box 5: a real source in D is also in S.", Brink + "."),
            P(FeatureId.DiffTemplateCorrelation, "diff_ref_corr", "none", "difference and template stamps",
                "Pearson correlation of D and T over box 5: residuals of reference stars correlate with T.", Brink + "."),
            P(FeatureId.SciencePeakOffset, "sci_peak_offset", "pixel", "science stamp",
                "Distance from the candidate to the brightest pixel of S in box 5.", "Alignment test."),
            P(FeatureId.TemplatePeakOffset, "ref_peak_offset", "pixel", "template stamp",
                "Distance from the candidate to the brightest pixel of T in box 5.", Bloom + ": nn_dist_renorm; ZTF distnr."),

            C(FeatureId.Magnitude, "mag", "mag (AB)", "ZTF magpsf; Rubin psfFlux",
                "Difference-image PSF magnitude (Rubin: 31.4 - 2.5 log10 |psfFlux / nJy|).", Bloom + ": mag."),
            C(FeatureId.MagnitudeError, "magerr", "mag", "ZTF sigmapsf; Rubin psfFluxErr",
                "Uncertainty of mag (Rubin: 1.0857 psfFluxErr / |psfFlux|).", Bloom + ": mag_err."),
            C(FeatureId.DetectionSnr, "snr", "sigma", "ZTF sigmapsf; Rubin psfFlux, psfFluxErr",
                "Detection significance: 1.0857 / magerr.", Bloom + ": sigflux."),
            C(FeatureId.MagMinusLimit, "mag_minus_limit", "mag", "ZTF diffmaglim (ZTF only)",
                "mag - limiting magnitude of the difference image.", Bloom + ": mag_from_limit."),
            C(FeatureId.IsPositive, "is_positive", "0/1", "ZTF isdiffpos; Rubin sign of psfFlux",
                "1 when the source is brighter than in the template.", Bloom + ": pos."),
            C(FeatureId.SeeingPixels, "seeing_px", "pixel", "Rubin PSF cutout HDU; stars on the science stamp",
                "Seeing FWHM in pixels: from the second moments of Rubin's PSF image when the cutout has one, else the median width of Gaussian fits to up to 8 bright isolated stars on the science stamp (not ZTF's candidate fwhm, which is the candidate's own size); 2.0 (ZTF) or 3.5 (Rubin) when neither exists.",
                Bloom + ": seeingnew."),
            C(FeatureId.ChipEdgeDistance, "chip_edge_dist", "pixel", "ZTF xpos, ypos; Rubin x, y",
                "Distance to the nearest detector edge (ZTF 3072 x 3080, Rubin 4072 x 4000 pixels).", Bloom + ": min_distance_to_edge_in_new."),
            C(FeatureId.SourceElongation, "source_elong", "none", "ZTF elong; Rubin ixx, iyy, ixy",
                "Major over minor axis of the detection (Rubin: from the second moments).", Bloom + ": ellipticity."),
            C(FeatureId.DetectionCount, "ndet", "count", "ZTF prv_candidates; Rubin prvDiaSources",
                "Detections of the object including this one.", "Light-curve context (ALeRCE, Fink)."),
            C(FeatureId.HistorySpanDays, "history_days", "day", "ZTF prv_candidates; Rubin prvDiaSources",
                "Time since the object's first detection in the packet.", "Light-curve context (ALeRCE, Fink)."),
        };

        list.AddRange(Ztf(
            (FeatureId.ZtfFwhm, "fwhm", "pixel", "FWHM of the candidate, SExtractor"),
            (FeatureId.ZtfElong, "elong", "none", "a/b of the candidate"),
            (FeatureId.ZtfNneg, "nneg", "count", "negative pixels in a 5x5 box"),
            (FeatureId.ZtfNbad, "nbad", "count", "bad pixels in a 5x5 box"),
            (FeatureId.ZtfSumrat, "sumrat", "none", "sum of pixels over sum of |pixels| in a 5x5 box"),
            (FeatureId.ZtfMagdiff, "magdiff", "mag", "aperture minus PSF magnitude"),
            (FeatureId.ZtfChipsf, "chipsf", "none", "reduced chi-square of the PSF fit"),
            (FeatureId.ZtfDsnrms, "dsnrms", "DN", "difference image noise (RMS)"),
            (FeatureId.ZtfSsnrms, "ssnrms", "DN", "science image noise (RMS)"),
            (FeatureId.ZtfClasstar, "classtar", "none", "SExtractor star/galaxy score"),
            (FeatureId.ZtfScorr, "scorr", "sigma", "peak of the matched-filter (Scorr) image"),
            (FeatureId.ZtfDistnr, "distnr", "pixel", "distance to the nearest reference-image source"),
            (FeatureId.ZtfMagnr, "magnr", "mag", "magnitude of the nearest reference-image source"),
            (FeatureId.ZtfSgscore1, "sgscore1", "none", "star/galaxy score of the nearest PS1 source"),
            (FeatureId.ZtfDistpsnr1, "distpsnr1", "arcsec", "distance to the nearest PS1 source"),
            (FeatureId.ZtfSeeratio, "seeratio", "none", "difference over science image FWHM"),
            (FeatureId.ZtfChinr, "chinr", "none", "DAOPhot chi of the nearest reference source"),
            (FeatureId.ZtfSharpnr, "sharpnr", "none", "DAOPhot sharp of the nearest reference source")));

        list.AddRange(
        [
            R(FeatureId.RubinExtendedness, "rubin_extendedness", "none", "diaSource.extendedness", "Rubin's extendedness of the source."),
            R(FeatureId.RubinTrailLength, "rubin_trail_length", "arcsec", "diaSource.trailLength", "Length of the fitted trail (streaks, fast movers)."),
            R(FeatureId.RubinDipoleLength, "rubin_dipole_length", "arcsec", "diaSource.dipoleLength", "Separation of the fitted dipole lobes."),
            R(FeatureId.RubinPsfReducedChi2, "rubin_psf_chi2", "none", "diaSource.psfChi2, psfNdata", "psfChi2 / psfNdata."),
            R(FeatureId.RubinApToPsfFlux, "rubin_ap_to_psf", "none", "diaSource.apFlux, psfFlux", "apFlux / psfFlux (ZTF magdiff analogue)."),
            R(FeatureId.RubinIsDipole, "rubin_is_dipole", "0/1", "diaSource.isDipole", "Rubin's dipole classification."),
            R(FeatureId.RubinCosmicRayFlag, "rubin_cr_flag", "0/1", "diaSource.pixelFlags_cr", "A cosmic ray touches the footprint."),
            R(FeatureId.RubinEdgeFlag, "rubin_edge_flag", "0/1", "diaSource.pixelFlags_edge", "The footprint touches a detector edge."),
        ]);

        list.AddRange(
        [
            L(FeatureId.LcRiseRate, "lc_rise_rate", "mag/day",
                "(mag - mag of the latest earlier detection in the same band at least half a day before) / elapsed days; negative = brightening (same-night revisits would turn noise into rates).",
                "Rise/decline rate (Fink early SN Ia, ALeRCE stamp classifier context)."),
            L(FeatureId.LcDaysSinceLast, "lc_days_since_last", "day", "Days since the latest earlier detection in any band.",
                "Cadence context (ALeRCE light-curve features)."),
            L(FeatureId.LcAmplitude, "lc_amplitude", "mag", "Brightest minus faintest magnitude among the detections in this detection's band (at least two).",
                "Amplitude (ALeRCE, Richards et al. 2011)."),
            L(FeatureId.LcColor, "lc_color", "mag", "Bluer-band minus redder-band magnitude, from this detection and the nearest-in-time detection in another band within 1 day (bands ordered u g r i z y).",
                "Colour at detection (Fink, Lasair g-r)."),
            L(FeatureId.LcBands, "lc_nbands", "count", "Distinct bands among this detection and its history.", "Light-curve coverage."),
        ]);

        for (var i = 0; i < list.Count; i++)
        {
            if ((int)list[i].Id != i)
            {
                throw new InvalidOperationException($"Feature catalog out of order at {i}: {list[i].Id}.");
            }
        }

        return list;
    }

    private static FeatureInfo P(FeatureId id, string name, string unit, string inputs, string definition, string lineage) =>
        new(id, name, FeatureGroup.Pixel, unit, inputs, definition, lineage);

    private static FeatureInfo C(FeatureId id, string name, string unit, string inputs, string definition, string lineage) =>
        new(id, name, FeatureGroup.Context, unit, inputs, definition, lineage);

    private static FeatureInfo R(FeatureId id, string name, string unit, string inputs, string definition) =>
        new(id, name, FeatureGroup.Rubin, unit, inputs, definition, "Rubin Science Pipelines (DiaSource table).");

    private static FeatureInfo L(FeatureId id, string name, string unit, string definition, string lineage) =>
        new(id, name, FeatureGroup.LightCurve, unit, "ZTF prv_candidates; Rubin prvDiaSources", definition, lineage);

    private static IEnumerable<FeatureInfo> Ztf(params (FeatureId Id, string Field, string Unit, string Meaning)[] fields) =>
        fields.Select(f => new FeatureInfo(f.Id, "ztf_" + f.Field, FeatureGroup.Ztf, f.Unit, "candidate." + f.Field,
            $"ZTF's {f.Meaning}, as published in the alert.", "ZTF alert schema (Masci et al. 2019); used by ZTF's RF rb."));
}
