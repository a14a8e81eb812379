// Makes labeled triplets on real scenes. A real candidate is a PSF of the scene's seeing injected into the
// science and difference images (optionally on a host galaxy that is also in the template); bogus candidates are
// the artifacts subtraction pipelines make. Brightness is drawn as a target matched-filter SNR on the scene's
// own difference noise, so every family spans faint to bright the same way, and photon noise of every added
// source goes into science and difference alike.
using Broker.Simulation.Rendering;
using Broker.Simulation.Scenes;

namespace Broker.Simulation.Generation;

public static class TripletGenerator
{
    public const double MinSnr = 5;
    public const double MaxSnr = 150;

    public static GeneratedTriplet Generate(Scene scene, ArtifactFamily family, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(rng);
        var w = scene.Width;
        var h = scene.Height;
        var s = (float[])scene.Science.Clone();
        var t = (float[])scene.Template.Clone();
        var d = (float[])scene.DifferenceBackground.Clone();
        var signal = new float[w * h];
        var psf = scene.Seeing / 2.3548;
        var sigma = scene.SigmaDifference;
        var snr = rng.LogUniform(MinSnr, MaxSnr);
        var flux = snr * sigma * Math.Sqrt(4 * Math.PI) * psf;
        double cx = scene.CenterX, cy = scene.CenterY;
        var onHost = false;

        switch (family)
        {
            case ArtifactFamily.Real:
                {
                    var x0 = cx + rng.Uniform(-0.5, 0.5);
                    var y0 = cy + rng.Uniform(-0.5, 0.5);
                    // The difference PSF is not exactly the measured seeing, nor exactly round.
                    var width = psf * rng.Uniform(0.9, 1.15);
                    var elongation = rng.Uniform(1, 1.25);
                    Draw.Elliptical(signal, w, h, flux, width * Math.Sqrt(elongation), width / Math.Sqrt(elongation), rng.Uniform(0, Math.PI), x0, y0);
                    if (rng.Chance(0.3))
                    {
                        AddHost(scene, rng, s, t, d, flux, psf, x0, y0);
                        onHost = true;
                    }

                    break;
                }

            case ArtifactFamily.Dipole:
                {
                    var star = flux * rng.LogUniform(3, 50);
                    AddStar(scene, rng, s, t, d, star, psf, psf, cx, cy);
                    var angle = rng.Uniform(0, 2 * Math.PI);
                    var shift = rng.Uniform(0.25, 1.0);
                    var x1 = cx + (shift * Math.Cos(angle));
                    var y1 = cy + (shift * Math.Sin(angle));
                    var lobes = new float[w * h];
                    Draw.Gaussian(lobes, w, h, flux, psf, x1, y1);
                    // Unequal lobes too: a weak negative lobe makes a dipole look like a point source.
                    Draw.Gaussian(lobes, w, h, -flux * rng.Uniform(0.2, 1.0), psf, (2 * cx) - x1, (2 * cy) - y1);
                    Add(d, lobes);
                    break;
                }

            case ArtifactFamily.BrightStarResidual:
                {
                    var star = flux * rng.LogUniform(20, 300);
                    AddStar(scene, rng, s, t, d, star, psf, psf * rng.Uniform(0.7, 0.9), cx, cy);
                    var residual = new float[w * h];
                    var epsilon = rng.Uniform(0.03, 0.15) * (rng.Chance(0.5) ? 1 : -1);
                    Draw.Gaussian(residual, w, h, star * epsilon, psf, cx, cy);
                    Draw.Gaussian(residual, w, h, -star * epsilon, psf * rng.Uniform(1.05, 1.3), cx, cy);
                    // A flux-scaling mismatch leaves a PSF-shaped residual on the star, the hardest case to tell from variability.
                    Draw.Gaussian(residual, w, h, star * rng.Uniform(-0.03, 0.03), psf, cx, cy);
                    Add(d, residual);
                    break;
                }

            case ArtifactFamily.CosmicRay:
                {
                    var amplitude = sigma * rng.LogUniform(8, 300);
                    int x = (int)cx + rng.Int(-1, 2), y = (int)cy + rng.Int(-1, 2);
                    var length = rng.Int(1, 7);
                    // Resampling blurs some cosmic rays a little (still narrower than the PSF).
                    var blur = rng.Chance(0.4) ? rng.Uniform(0.4, 0.8) : 0;
                    for (var i = 0; i < length; i++)
                    {
                        var value = amplitude * rng.Uniform(0.3, 1);
                        if (blur > 0)
                        {
                            Draw.Gaussian(signal, w, h, value * 2 * Math.PI * blur * blur, blur, x, y);
                        }
                        else
                        {
                            signal[(Math.Clamp(y, 0, h - 1) * w) + Math.Clamp(x, 0, w - 1)] += (float)value;
                        }

                        x += rng.Int(-1, 2);
                        y += rng.Int(-1, 2);
                    }

                    break;
                }

            case ArtifactFamily.HotPixel:
                {
                    var amplitude = sigma * rng.LogUniform(6, 500);
                    var x = (int)cx + rng.Int(-1, 2);
                    var y = (int)cy + rng.Int(-1, 2);
                    signal[(y * w) + x] += (float)amplitude;
                    if (rng.Chance(0.2))
                    {
                        signal[(y * w) + Math.Min(x + 1, w - 1)] += (float)(amplitude * rng.Uniform(0.2, 0.8));
                    }

                    break;
                }

            case ArtifactFamily.BadColumn:
                {
                    var x = (int)cx + rng.Int(-1, 2);
                    var level = sigma * rng.LogUniform(2, 40);
                    int y0 = 0, y1 = h - 1;
                    if (rng.Chance(0.5))
                    {
                        y0 = Math.Max(0, (int)cy - rng.Int(5, 20));
                        y1 = Math.Min(h - 1, (int)cy + rng.Int(5, 20));
                    }

                    for (var y = y0; y <= y1; y++)
                    {
                        signal[(y * w) + x] += (float)(level * rng.Uniform(0.7, 1.3));
                    }

                    break;
                }

            case ArtifactFamily.Streak:
                {
                    var peak = sigma * rng.LogUniform(2, 40);
                    Draw.Line(signal, w, h, cx + rng.Uniform(-1.5, 1.5), cy + rng.Uniform(-1.5, 1.5), rng.Uniform(0, Math.PI), peak, psf * rng.Uniform(0.8, 1.5));
                    break;
                }

            case ArtifactFamily.Ghost:
                {
                    var peak = sigma * rng.Uniform(1.5, 10);
                    if (rng.Chance(0.6))
                    {
                        var width = rng.Uniform(2.5, 12);
                        Draw.Gaussian(signal, w, h, peak * 2 * Math.PI * width * width, width, cx + rng.Uniform(-3, 3), cy + rng.Uniform(-3, 3));
                    }
                    else
                    {
                        Ring(signal, w, h, cx, cy, rng, peak);
                    }

                    break;
                }

            case ArtifactFamily.Edge:
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(family), family, null);
        }

        Add(s, signal);
        Add(d, signal);
        Draw.PhotonNoise(signal, sigma / 25.0, rng, s, d);

        var triplet = new GeneratedTriplet(scene, family, w, h, scene.CenterX, scene.CenterY, s, t, d, flux, snr)
        {
            Variant = family != ArtifactFamily.Real ? family.Name() : onHost ? RealVariants.OnHost : RealVariants.Isolated,
        };
        if (family == ArtifactFamily.Edge)
        {
            return EdgeArtifact(triplet, rng, sigma, psf);
        }

        // Real sources near a CCD edge exist too: without them a model would learn "edge means bogus".
        return family == ArtifactFamily.Real && rng.Chance(0.1) ? Cut(triplet, rng, rng.Int(6, 13)) with { Variant = RealVariants.AtEdge } : triplet;
    }

    private static void AddHost(Scene scene, Rng rng, float[] s, float[] t, float[] d, double flux, double psf, double x0, double y0)
    {
        var width = Math.Sqrt(Math.Pow(rng.Uniform(2, 6), 2) + (psf * psf));
        var hostFlux = flux * rng.LogUniform(0.3, 30);
        var angle = rng.Uniform(0, 2 * Math.PI);
        var offset = rng.Uniform(0, 1.5) * width;
        var host = new float[s.Length];
        Draw.Gaussian(host, scene.Width, scene.Height, hostFlux, width, x0 + (offset * Math.Cos(angle)), y0 + (offset * Math.Sin(angle)));
        Add(s, host);
        AddScaled(t, host, 1 / scene.TemplateScale);
        Draw.PhotonNoise(host, scene.SigmaDifference / 25.0, rng, s, d);
        if (rng.Chance(0.4))
        {
            // Imperfect subtraction of the host's core under the transient.
            var residual = new float[s.Length];
            Draw.Gaussian(residual, scene.Width, scene.Height, hostFlux * rng.Uniform(-0.03, 0.03), width, x0 + (offset * Math.Cos(angle)), y0 + (offset * Math.Sin(angle)));
            Add(d, residual);
        }
    }

    /// <summary>A star in science and template (template PSF may differ); its photon noise goes to science and difference.</summary>
    private static void AddStar(Scene scene, Rng rng, float[] s, float[] t, float[] d, double flux, double psfScience, double psfTemplate, double x, double y)
    {
        var w = scene.Width;
        var h = scene.Height;
        var sx = x + rng.Uniform(-0.5, 0.5);
        var sy = y + rng.Uniform(-0.5, 0.5);
        var starS = new float[w * h];
        Draw.Gaussian(starS, w, h, flux, psfScience, sx, sy);
        var starT = new float[w * h];
        Draw.Gaussian(starT, w, h, flux / scene.TemplateScale, psfTemplate, sx, sy);
        Add(s, starS);
        Add(t, starT);
        Draw.PhotonNoise(starS, scene.SigmaDifference / 25.0, rng, s, d);
    }

    private static void Ring(float[] p, int w, int h, double cx, double cy, Rng rng, double peak)
    {
        var radius = rng.Uniform(5, 14);
        var width = rng.Uniform(1.5, 3);
        var angle = rng.Uniform(0, 2 * Math.PI);
        // The candidate sits on the ring, as a detection of a ghost's bright arc would.
        var rx = cx - (radius * Math.Cos(angle));
        var ry = cy - (radius * Math.Sin(angle));
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var r = Math.Sqrt(((x - rx) * (x - rx)) + ((y - ry) * (y - ry)));
                p[(y * w) + x] += (float)(peak * Math.Exp(-((r - radius) * (r - radius)) / (2 * width * width)));
            }
        }
    }

    /// <summary>Detector-edge bogus: a bright subtraction band along an edge 1-6 px from the candidate.</summary>
    private static GeneratedTriplet EdgeArtifact(GeneratedTriplet triplet, Rng rng, double sigma, double psf)
    {
        var cut = Cut(triplet, rng, rng.Int(1, 7));
        var (w, h) = (cut.Width, cut.Height);
        var amplitude = sigma * rng.LogUniform(5, 60);
        var scale = rng.Uniform(0.7, 2.5);
        var band = new float[w * h];
        var (edgeX, edgeY, vertical) = NearestEdge(cut);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                if (!float.IsFinite(cut.Difference[(y * w) + x]))
                {
                    continue;
                }

                var distance = vertical ? Math.Abs(x - edgeX) : Math.Abs(y - edgeY);
                band[(y * w) + x] = (float)(amplitude * Math.Exp(-distance / scale) * (1 + (0.3 * Math.Sin(((vertical ? y : x) / psf) + rng.Uniform(0, 0.1)))));
            }
        }

        Add(cut.Difference, band);
        AddScaled(cut.Science, band, 0.3);
        return cut;
    }

    private static (double X, double Y, bool Vertical) NearestEdge(GeneratedTriplet c)
    {
        // Walk from the candidate in the four directions to the first masked pixel or the stamp edge.
        double best = double.MaxValue, ex = 0, ey = 0;
        var vertical = true;
        foreach (var (dx, dy) in new[] { (1, 0), (-1, 0), (0, 1), (0, -1) })
        {
            int x = c.CenterX, y = c.CenterY, steps = 0;
            while (x >= 0 && y >= 0 && x < c.Width && y < c.Height && float.IsFinite(c.Difference[(y * c.Width) + x]))
            {
                x += dx;
                y += dy;
                steps++;
            }

            if (steps < best)
            {
                best = steps;
                ex = x - (dx * 0.5);
                ey = y - (dy * 0.5);
                vertical = dx != 0;
            }
        }

        return (ex, ey, vertical);
    }

    /// <summary>Puts a detector edge <paramref name="distance"/> px from the candidate: trims the stamp (ZTF) or masks it with NaN.</summary>
    private static GeneratedTriplet Cut(GeneratedTriplet t, Rng rng, int distance)
    {
        var side = rng.Int(0, 4); // 0 left, 1 right, 2 bottom, 3 top
        var trim = t.Scene.Source.Survey == Alerts.Model.Survey.Ztf && rng.Chance(0.6);
        if (!trim)
        {
            Mask(t, side, distance);
            return t;
        }

        int x0 = 0, y0 = 0, x1 = t.Width, y1 = t.Height;
        switch (side)
        {
            case 0:
                x0 = Math.Max(0, t.CenterX - distance);
                break;
            case 1:
                x1 = Math.Min(t.Width, t.CenterX + distance + 1);
                break;
            case 2:
                y0 = Math.Max(0, t.CenterY - distance);
                break;
            default:
                y1 = Math.Min(t.Height, t.CenterY + distance + 1);
                break;
        }

        int w = x1 - x0, h = y1 - y0;
        return t with
        {
            Width = w,
            Height = h,
            CenterX = t.CenterX - x0,
            CenterY = t.CenterY - y0,
            Science = Crop(t.Science, t.Width, x0, y0, w, h),
            Template = Crop(t.Template, t.Width, x0, y0, w, h),
            Difference = Crop(t.Difference, t.Width, x0, y0, w, h),
            TrimLeft = x0,
            TrimBottom = y0,
        };
    }

    private static void Mask(GeneratedTriplet t, int side, int distance)
    {
        for (var y = 0; y < t.Height; y++)
        {
            for (var x = 0; x < t.Width; x++)
            {
                var masked = side switch
                {
                    0 => x < t.CenterX - distance,
                    1 => x > t.CenterX + distance,
                    2 => y < t.CenterY - distance,
                    _ => y > t.CenterY + distance,
                };
                if (masked)
                {
                    var i = (y * t.Width) + x;
                    t.Science[i] = float.NaN;
                    t.Template[i] = float.NaN;
                    t.Difference[i] = float.NaN;
                }
            }
        }
    }

    private static float[] Crop(float[] p, int width, int x0, int y0, int w, int h)
    {
        var o = new float[w * h];
        for (var y = 0; y < h; y++)
        {
            Array.Copy(p, ((y + y0) * width) + x0, o, y * w, w);
        }

        return o;
    }

    private static void Add(float[] target, float[] source) => AddScaled(target, source, 1);

    private static void AddScaled(float[] target, float[] source, double factor)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] += (float)(source[i] * factor);
        }
    }
}
