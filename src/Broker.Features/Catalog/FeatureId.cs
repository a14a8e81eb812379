// Every feature the broker computes, in vector order. The order is part of the model contract: a trained model
// records the names it was trained on, and inference checks them (see FeatureCatalog).
namespace Broker.Features.Catalog;

public enum FeatureId
{
    // Pixel features: difference stamp.
    DiffPeakSnr,
    DiffPeakOffset,
    DiffNeg2Sigma5x5,
    DiffNeg3Sigma5x5,
    DiffNeg2Sigma7x7,
    DiffNeg3Sigma7x7,
    DiffGaussAmplitude,
    DiffGaussSigma,
    DiffGaussChi2,
    DiffGaussCorrelation,
    DiffGaussOffset,
    DiffFwhmOverSeeing,
    DiffQuadrantAsymmetry,
    DiffMeanAbs7x7,
    DiffNegativeToPositive,
    DiffConcentration,
    DiffPeakFraction,
    DiffEllipticity,
    DiffSignificantFraction,
    DiffWideElongation,
    DiffLineExcess,
    DiffMatchedFilterSnr,
    DiffSharpness,
    DiffMaskedFraction,
    StampEdgeDistance,
    DiffToScienceNoise,

    // Pixel features: science and template stamps against the difference.
    ScienceCenterSnr,
    TemplateCenterSnr,
    DiffToScienceFlux,
    TemplateToScienceSnr,
    ScienceTemplateCorrelation,
    DiffScienceCorrelation,
    DiffTemplateCorrelation,
    SciencePeakOffset,
    TemplatePeakOffset,

    // Context: survey-neutral quantities from the alert's own fields.
    Magnitude,
    MagnitudeError,
    DetectionSnr,
    MagMinusLimit,
    IsPositive,
    SeeingPixels,
    ChipEdgeDistance,
    SourceElongation,
    DetectionCount,
    HistorySpanDays,

    // ZTF pipeline quantities (NaN for other surveys).
    ZtfFwhm,
    ZtfElong,
    ZtfNneg,
    ZtfNbad,
    ZtfSumrat,
    ZtfMagdiff,
    ZtfChipsf,
    ZtfDsnrms,
    ZtfSsnrms,
    ZtfClasstar,
    ZtfScorr,
    ZtfDistnr,
    ZtfMagnr,
    ZtfSgscore1,
    ZtfDistpsnr1,
    ZtfSeeratio,
    ZtfChinr,
    ZtfSharpnr,

    // Rubin pipeline quantities (NaN for other surveys).
    RubinExtendedness,
    RubinTrailLength,
    RubinDipoleLength,
    RubinPsfReducedChi2,
    RubinApToPsfFlux,
    RubinIsDipole,
    RubinCosmicRayFlag,
    RubinEdgeFlag,

    // Light curve from the packet's history (NaN when the history is too short).
    LcRiseRate,
    LcDaysSinceLast,
    LcAmplitude,
    LcColor,
    LcBands,
}
