// Which observing night an alert belongs to, by survey, so a night never lands on two dates (fink-broker #1152):
//   ZTF (Palomar, UTC-8): the UTC date of (time + 4 h): the cut is 20:00 UTC, local noon, when nobody observes;
//     an evening's first alerts (~03:00 UTC) and the morning's last (~13:00 UTC) share one date, ZTF's own
//     `ztf_public_YYYYMMDD` naming.
//   Rubin: dayObs, the date in UTC-12 h (Rubin's convention; the cut is 12:00 UTC, local morning at Cerro Pachon).
// Times are MJD; Rubin's are TAI, 37 s ahead of UTC, which only matters within 37 s of the cut (mid-day).
namespace Broker.Alerts.Model;

public static class ObservingNight
{
    private static readonly DateTime MjdEpoch = new(1858, 11, 17, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The time an MJD names, as a UTC DateTime (TAI read as UTC: 37 s early, see above).</summary>
    public static DateTime Utc(double mjd) => MjdEpoch.AddDays(mjd);

    /// <summary>The night's date for a detection at <paramref name="mjd"/>.</summary>
    public static DateOnly Of(Survey survey, double mjd)
    {
        var utc = Utc(mjd);
        var shifted = survey == Survey.Ztf ? utc.AddHours(4) : utc.AddHours(-12);
        return DateOnly.FromDateTime(shifted);
    }

    /// <summary>The night of a wall-clock time (for what has no detection time: undecodable input), by Rubin's rule.</summary>
    public static DateOnly OfIngest(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime.AddHours(-12));

    /// <summary>yyyy-MM-dd.</summary>
    public static string Name(DateOnly night) => night.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
