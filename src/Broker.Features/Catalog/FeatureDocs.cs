// Renders the catalog as docs/features.md, so the documentation is the catalog (a test keeps them equal;
// `broker features --markdown > docs/features.md` regenerates it).
using System.Text;

namespace Broker.Features.Catalog;

public static class FeatureDocs
{
    public static string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append("""
            # Features

            Generated from `src/Broker.Features/Catalog/FeatureCatalog.cs` by `./broker features --markdown`
            (a test fails when this file and the catalog differ). The vector order is the table order; models record
            the names they were trained on and refuse a vector of other names.

            Conventions: D, S, T are the difference, science and template stamps with their median background
            subtracted; sigma_X is 1.4826 x the median absolute deviation of stamp X measured outside the central
            11x11 box (so the candidate does not inflate it); the candidate sits at the stamp centre, or, on ZTF stamps
            trimmed at a CCD edge, where the candidate's CCD position (xpos, ypos) puts it; "box k" is the
            (2k+1) x (2k+1) pixels around the candidate. The difference stamp of a negative Rubin detection is
            flipped so the source is positive; ZTF already publishes it that way. Masked pixels are skipped: NaN, and
            any value of magnitude 1e30 or more (real ZTF templates mark masked pixels with float.MinValue).
            A feature whose input is missing (no cutout, a field the survey does not have) is NaN; the boosted trees
            treat NaN as missing.

            Pixel features are computed by the same code for ZTF and Rubin, so one real/bogus model serves both.
            The real/bogus model uses the pixel group only (see docs/models.md for why).

            """);
        foreach (var group in Enum.GetValues<FeatureGroup>())
        {
            var title = group switch
            {
                FeatureGroup.Pixel => "Pixel features (cutouts)",
                FeatureGroup.Context => "Context features (alert fields, survey-neutral)",
                FeatureGroup.Ztf => "ZTF pipeline features (passed through)",
                FeatureGroup.Rubin => "Rubin pipeline features (passed through)",
                _ => "Light-curve features (the packet's history, survey-neutral)",
            };
            sb.Append("\n## ").Append(title).Append("\n\n");
            sb.Append("| # | name | unit | surveys | inputs | definition | lineage |\n");
            sb.Append("|---|---|---|---|---|---|---|\n");
            foreach (var f in FeatureCatalog.InGroup(group))
            {
                sb.Append("| ").Append(f.Index).Append(" | `").Append(f.Name).Append("` | ").Append(f.Unit).Append(" | ")
                    .Append(f.Surveys).Append(" | ").Append(f.Inputs).Append(" | ").Append(f.Definition).Append(" | ")
                    .Append(f.Lineage).Append(" |\n");
            }
        }

        sb.Append("\nReferences: Bloom et al. 2012, PASP 124, 1175 (PTF real/bogus features); Brink et al. 2013, MNRAS 435,\n")
            .Append("1047 (random forest real/bogus, 7.7% missed detections at 1% false positives); Masci et al. 2019, PASP 131\n")
            .Append("(ZTF pipeline fields); Rubin DiaSource schema (lsst.v7-v9 alert packets).\n");
        return sb.ToString();
    }
}
