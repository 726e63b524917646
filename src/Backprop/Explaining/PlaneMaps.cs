using Backprop.Data;
using Backprop.Layers;

namespace Backprop.Explaining;

/// <summary>A rectangle of the plane: x1 from <see cref="XMin"/> to <see cref="XMax"/>, x2 from <see cref="YMin"/> to <see cref="YMax"/>.</summary>
public readonly record struct PlaneBounds(double XMin, double XMax, double YMin, double YMax);

/// <summary>
/// Turns points (x1, x2) of the plane into network inputs, as the training examples were made: the two chosen
/// columns of the raw data take the point, every other column its training mean; then the features, then the
/// standardisation.
/// </summary>
public sealed class PlaneProjection
{
    readonly float[] baseline;
    readonly FeatureMap? features;
    readonly Standardizer? standardizer;

    /// <summary>Puts the points of <paramref name="raw"/> on a plane: columns <paramref name="xColumn"/> and <paramref name="yColumn"/> as x and y, the other features at their training means; <paramref name="features"/> and <paramref name="standardizer"/> turn a point of the plane into the network's input.</summary>
    public PlaneProjection(Dataset raw, int xColumn, int yColumn, FeatureMap? features, Standardizer? standardizer)
    {
        if (raw.Count == 0) throw new BackpropException("the data holds no examples to draw");
        if (xColumn < 0 || yColumn < 0 || xColumn >= raw.FeatureCount || yColumn >= raw.FeatureCount || xColumn == yColumn)
            throw new BackpropException($"the plane's axes must be two different columns of 0…{raw.FeatureCount - 1}, got {xColumn} and {yColumn}");
        XColumn = xColumn;
        YColumn = yColumn;
        this.features = features;
        this.standardizer = standardizer;
        baseline = new float[raw.FeatureCount];
        var sums = new double[raw.FeatureCount];
        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        for (int i = 0; i < raw.Count; i++)
        {
            var row = raw.Example(i);
            for (int k = 0; k < row.Length; k++) sums[k] += row[k];
            xMin = Math.Min(xMin, row[xColumn]); xMax = Math.Max(xMax, row[xColumn]);
            yMin = Math.Min(yMin, row[yColumn]); yMax = Math.Max(yMax, row[yColumn]);
        }
        for (int k = 0; k < baseline.Length; k++) baseline[k] = (float)(sums[k] / raw.Count);
        // A margin of a tenth of the span (at least 0.1) on every side, so no point sits on the border.
        double xPad = Math.Max(0.1 * (xMax - xMin), 0.1), yPad = Math.Max(0.1 * (yMax - yMin), 0.1);
        Bounds = new PlaneBounds(xMin - xPad, xMax + xPad, yMin - yPad, yMax + yPad);
        RawFeatureCount = raw.FeatureCount;
    }

    /// <summary>The raw feature drawn along x.</summary>
    public int XColumn { get; }
    /// <summary>The raw feature drawn along y.</summary>
    public int YColumn { get; }
    /// <summary>Features of the raw data.</summary>
    public int RawFeatureCount { get; }
    /// <summary>The data's extent with a margin.</summary>
    public PlaneBounds Bounds { get; }
    /// <summary>The training means of the raw columns: where the columns off the plane stand.</summary>
    public IReadOnlyList<float> Baseline => baseline;
    /// <summary>Inputs of the network: the features made, or the raw features.</summary>
    public int InputCount => features?.Count ?? RawFeatureCount;

    /// <summary>The network's inputs for <paramref name="points"/> (pairs x1, x2), (n × <see cref="InputCount"/>).</summary>
    public float[] Inputs(ReadOnlySpan<float> points)
    {
        int n = points.Length / 2;
        var raw = new float[(long)n * RawFeatureCount];
        for (int i = 0; i < n; i++)
        {
            var row = raw.AsSpan(i * RawFeatureCount, RawFeatureCount);
            baseline.CopyTo(row);
            row[XColumn] = points[2 * i];
            row[YColumn] = points[2 * i + 1];
        }
        var inputs = features?.Apply(raw) ?? raw;
        standardizer?.Apply(inputs);
        return inputs;
    }
}

/// <summary>
/// What every neuron computes over a grid of the plane: for each layer l and neuron j, aˡ_j at each of
/// <see cref="Resolution"/> × <see cref="Resolution"/> points, rows from the top (x2 largest) down, columns from
/// the left (x1 smallest) — the pictures the playground draws for every neuron and for the output. Made once per
/// network and plane (the grid's inputs are fixed); <see cref="Update"/> recomputes it in place after the weights
/// change, allocating nothing.
/// </summary>
public sealed class PlaneMaps
{
    /// <summary>The most cells along a side of a map.</summary>
    public const int MaximumResolution = 400;

    readonly Network<float> network;
    readonly Propagator<float> pass;
    readonly float[] inputs;
    readonly float[][] activations;
    readonly int points;

    PlaneMaps(Network<float> network, PlaneProjection projection, int resolution)
    {
        this.network = network;
        Bounds = projection.Bounds;
        Resolution = resolution;
        points = resolution * resolution;
        var grid = new float[2 * points];
        for (int row = 0; row < resolution; row++)
            for (int column = 0; column < resolution; column++)
            {
                var (x, y) = Point(row, column);
                grid[2 * (row * resolution + column)] = (float)x;
                grid[2 * (row * resolution + column) + 1] = (float)y;
            }
        inputs = projection.Inputs(grid);
        InputMaps = [.. Enumerable.Range(0, network.InputSize).Select(k => Column(inputs, points, network.InputSize, k))];
        pass = new Propagator<float>(network, points, forwardOnly: true);
        activations = network.Layers.Select(l => new float[(long)points * l.OutputSize]).ToArray();
        Update();
    }

    /// <summary>The part of the plane the maps cover.</summary>
    public PlaneBounds Bounds { get; }
    /// <summary>Cells along each side.</summary>
    public int Resolution { get; }
    /// <summary>InputMaps[k]: the network's input k (a feature such as x1², standardised if the run is) at every grid point.</summary>
    public IReadOnlyList<float[]> InputMaps { get; }
    /// <summary>Activations[l][j * Resolution² + p]: neuron j of weighted layer l (0 = first hidden) at grid point p.</summary>
    public IReadOnlyList<float[]> Activations => activations;

    /// <summary>Neuron <paramref name="neuron"/> of weighted layer <paramref name="layer"/> over the grid.</summary>
    public ReadOnlySpan<float> Of(int layer, int neuron) => activations[layer].AsSpan(neuron * points, points);

    /// <summary>The plane's point at grid cell (row, column): its centre.</summary>
    public (double X1, double X2) Point(int row, int column) =>
        (Bounds.XMin + (column + 0.5) * (Bounds.XMax - Bounds.XMin) / Resolution, Bounds.YMax - (row + 0.5) * (Bounds.YMax - Bounds.YMin) / Resolution);

    /// <summary>The maps of <paramref name="network"/> over the plane of <paramref name="projection"/>, one batch of Resolution² points.</summary>
    public static PlaneMaps Compute(Network<float> network, PlaneProjection projection, int resolution)
    {
        if (resolution < 1 || resolution > MaximumResolution)
            throw new BackpropException($"a map of {resolution}×{resolution} points: the resolution must be 1 to {MaximumResolution}");
        if (projection.InputCount != network.InputSize)
            throw new BackpropException($"the plane gives {projection.InputCount} inputs but the network takes {network.InputSize}");
        return new PlaneMaps(network, projection, resolution);
    }

    /// <summary>Runs the grid through the network's current weights again.</summary>
    public void Update()
    {
        inputs.CopyTo(pass.Input);
        pass.Forward(points);
        // The propagator keeps examples in rows (n × width); a map wants each neuron's values together.
        for (int l = 0; l < activations.Length; l++)
        {
            var rows = pass.Activations(l, points);
            int width = network.Layers[l].OutputSize;
            var result = activations[l];
            for (int i = 0; i < points; i++)
                for (int j = 0; j < width; j++) result[j * points + i] = rows[i * width + j];
        }
    }

    static float[] Column(float[] rows, int n, int width, int k)
    {
        var result = new float[n];
        for (int i = 0; i < n; i++) result[i] = rows[i * width + k];
        return result;
    }
}
