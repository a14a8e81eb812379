// Named feature subspaces. An alert that is unusual only in a small, named subspace is far easier to understand
// than one flagged by a forest over everything (Reis et al. 2021), and different subspaces find largely different
// anomalies. Each subspace gets its own forest; "all" covers every feature.
using Broker.Features.Catalog;

namespace Broker.Novelty.Forest;

public sealed record Subspace(string Name, string Description, IReadOnlyList<int> Features)
{
    public const string AllName = "all";

    /// <summary>The broker's subspaces, by catalog name (a name the catalog lacks is an error at startup).</summary>
    public static IReadOnlyList<Subspace> Default { get; } =
    [
        Of("photometry", "brightness and significance of the detection, and how it compares with science and reference",
            "mag", "magerr", "snr", "mag_minus_limit", "is_positive", "sci_center_snr", "ref_center_snr", "diff_to_sci_flux", "ref_to_sci_snr"),
        Of("shape", "the difference source's profile: width against the seeing, ellipticity, concentration, sharpness",
            "diff_gauss_sigma", "diff_fwhm_over_seeing", "diff_ellipticity", "diff_wide_elong", "diff_concentration", "diff_sharpness",
            "diff_peak_fraction", "diff_gauss_chi2", "diff_gauss_corr", "source_elong"),
        Of("pixels", "the difference stamp's pixel statistics: negative pixels, asymmetry, lines, masks, correlations",
            "diff_neg2sig_5x5", "diff_neg3sig_7x7", "diff_quadrant_asym", "diff_mean_abs_7x7", "diff_neg_to_pos", "diff_signif_fraction",
            "diff_line_excess", "diff_masked_fraction", "diff_sci_corr", "diff_ref_corr", "sci_ref_corr", "diff_peak_offset", "diff_gauss_offset"),
        Of("history", "the object's light curve in the packet: detections, time span, brightening rate, colour",
            "ndet", "history_days", "lc_rise_rate", "lc_days_since_last", "lc_amplitude", "lc_color", "lc_nbands"),
        Of("context", "where it is: seeing, detector and stamp edges, nearest reference and catalogue sources",
            "seeing_px", "chip_edge_dist", "stamp_edge_dist", "diff_to_sci_noise", "ztf_distnr", "ztf_magnr", "ztf_sgscore1", "ztf_distpsnr1", "ztf_classtar"),
        new(AllName, "every feature", [.. Enumerable.Range(0, FeatureCatalog.Count)]),
    ];

    public static Subspace Of(string name, string description, params string[] features) =>
        new(name, description, [.. features.Select(f => FeatureCatalog.TryGet(f, out var info)
            ? info.Index
            : throw new ArgumentException($"Subspace {name}: the catalog has no feature '{f}'."))]);
}
