using System.Diagnostics;
using Backprop.Data;
using Backprop.Explaining;
using Backprop.Playground.Drawing;
using Backprop.Serialization;
using Backprop.Training;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace Backprop.Playground;

/// <summary>
/// The page's one state: the run's <see cref="RunSettings"/> (which the address and the command line are made
/// from), the <see cref="TrainingRun"/> those settings started, and what is drawn of it. Training runs in slices of
/// about 25 ms between animation frames, so the page never freezes; the library does every computation.
/// </summary>
public partial class Playground : IDisposable
{
    /// <summary>Thumbnails of hidden neurons and the output map, in grid points per side.</summary>
    public const int ThumbnailResolution = 24, MapResolution = 64;
    // A third of a 60 Hz display's frame budget twice over: long enough that stepping dominates, short enough that the
    // page stays fluid (bench/RESULTS.md has the trade measured).
    const double SliceMilliseconds = 16;
    /// <summary>A file the page reads must fit in memory comfortably: 20 MB of CSV is ~5 million numbers.</summary>
    const long MaximumUploadBytes = 20_000_000;

    RunSettings settings = new();
    TrainingRun? run;
    PlaneMaps? thumbnails, map;
    RunMetrics? current;
    readonly List<RunMetrics> history = [];
    string? error;
    bool diverged, playing, discretize, showTest = true, edited;
    int planeX, planeY = 1;
    // How the next CSV file is read (the current one's task while one is open), and a file just refused.
    LearningTask fileTask;
    string? refusedCsv;
    // Frames and batches over the last second, and where a frame's time went, for the speed line the benchmarks read.
    double batchesPerSecond, framesPerSecond;
    FrameTimes frameTimes;
    long renderRequested;
    // While a run plays, the network drawing (hundreds of links, a map per neuron) is redrawn at most this often; the
    // output map, costs and counters every frame. Stopped, everything is drawn at once.
    static readonly TimeSpan NetworkInterval = TimeSpan.FromMilliseconds(200);
    long networkDrawn;
    bool networkDue = true;

    /// <summary>Milliseconds of the last frame: training steps, the library's maps and metrics, Blazor's render, canvas painting.</summary>
    internal readonly record struct FrameTimes(double Training, double Maps, double Render, double Paint);
    Selection? selected;

    /// <summary>A weight W^l[j,k] (Bias false) or a bias b^l[j] (Bias true; K unused); Layer is 0-based weighted layer.</summary>
    public sealed record Selection(int Layer, int J, int K, bool Bias);

    // A benchmarking switch, gemm=scalar in the address (or another set this browser accelerates), read once at start-up:
    // the page's products run on that set for its lifetime, so bench/PlaygroundBench can measure the 128-bit path
    // against the scalar tiles on one published site. Per thread, which in the browser is the only one.
    IDisposable? gemmSwitch;
    readonly string gemmDefault = MatrixProducts.Description;

    protected override void OnInitialized()
    {
        string hash = Browser.GetHash();
        ReadGemmSwitch(hash);
        if (hash.Length > 1)
        {
            try
            {
                settings = RunSettings.FromQuery(hash);
                ReadPlane(hash);
            }
            catch (BackpropException e)
            {
                error = $"The address could not be read: {e.Message}. The default settings are shown instead.";
            }
        }
        if (settings.IsCsv)
        {
            error = $"The address names the file {settings.Data[4..]}, which only your computer has: open it again below. The default data is shown meanwhile.";
            fileTask = settings.CsvTask;
            settings = settings with { Data = "spiral", LabelColumn = null, Standardize = false };
            // A regression's output and cost do not fit the spiral's classes.
            if (fileTask == LearningTask.Regression) settings = OutputFor(settings, LearningTask.Classification);
        }
        if (!Restart(settings)) Restart(new RunSettings());
        else if (hash.Length > 1) ReadSelection(hash);
        WriteHash();
    }

    void ReadGemmSwitch(string hash)
    {
        foreach (var part in hash.TrimStart('#').Split('&'))
        {
            if (!part.StartsWith("gemm=")) continue;
            string value = Uri.UnescapeDataString(part[5..]);
            if (!Enum.GetNames<MatrixInstructionSet>().Contains(value, StringComparer.OrdinalIgnoreCase))
                error = $"gemm={value} in the address is not an instruction set and was ignored: the benchmarking switch is gemm=scalar.";
            else if (Enum.Parse<MatrixInstructionSet>(value, ignoreCase: true) is var set && set > MatrixProducts.Widest)
                error = $"gemm={value} in the address was ignored: this browser accelerates {MatrixProducts.Widest} at most; write gemm=scalar.";
            else
                gemmSwitch ??= MatrixProducts.Use(set);
        }
    }

    void ReadPlane(string hash)
    {
        foreach (var part in hash.TrimStart('#').Split('&'))
            if (part.StartsWith("plane=") && part[6..].Split(',') is [var x, var y] && int.TryParse(x, out int px) && int.TryParse(y, out int py))
                (planeX, planeY) = (px, py);
    }

    /// <summary>Starts a new run of <paramref name="next"/>; on a bad setting keeps the current run and says why.</summary>
    bool Restart(RunSettings next, Model? initial = null)
    {
        try
        {
            var started = TrainingRun.Start(next, initial?.Network);
            if (planeX >= started.RawTrain.FeatureCount || planeY >= started.RawTrain.FeatureCount || planeX == planeY) (planeX, planeY) = (0, 1);
            playing = false;
            run = started;
            settings = next;
            diverged = false;
            edited = false;
            selected = null;
            if (next.IsCsv) fileTask = next.CsvTask;
            refusedCsv = null;
            KeepExample();
            history.Clear();
            MakeMaps();
            Refresh(recordHistory: true);
            WriteHash();
            return true;
        }
        catch (BackpropException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>A settings change from a panel: clears the last message, restarts the run with the new settings.</summary>
    void Change(RunSettings next)
    {
        error = null;
        Restart(next);
    }

    /// <summary>The grids of the plane for this run and plane: made once, updated in place every frame.</summary>
    void MakeMaps()
    {
        if (run is null) return;
        if (run.Settings.IsDigits)
        {
            // Pixels have no plane: a map of two of 64 inputs, the rest held at their means, would show nothing.
            (thumbnails, map) = (null, null);
            return;
        }
        var projection = run.Projection(planeX, planeY);
        thumbnails = PlaneMaps.Compute(run.Network, projection, ThumbnailResolution);
        map = PlaneMaps.Compute(run.Network, projection, MapResolution);
    }

    void Refresh(bool recordHistory = false)
    {
        if (run is null) return;
        long started = Stopwatch.GetTimestamp();
        current = run.Measure();
        if (recordHistory) history.Add(current);
        if (networkDue) thumbnails?.Update();
        if (networkDue) Explain();
        if (networkDue) ReadDigits();
        map?.Update();
        frameTimes = frameTimes with { Maps = Stopwatch.GetElapsedTime(started).TotalMilliseconds };
        renderRequested = Stopwatch.GetTimestamp();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (map is null || thumbnails is null || run is null) return;
        long started = Stopwatch.GetTimestamp();
        Painter.Paint(run, networkDue ? thumbnails : null, map, discretize);
        if (networkDue) networkDrawn = Stopwatch.GetTimestamp();
        frameTimes = frameTimes with
        {
            Render = Stopwatch.GetElapsedTime(renderRequested, started).TotalMilliseconds,
            Paint = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };
    }

    async Task Play()
    {
        if (run is null || playing || diverged) return;
        if (run.Finished) return;
        playing = true;
        long secondStart = Stopwatch.GetTimestamp();
        int frames = 0, batches = 0;
        while (playing && run is { } r && !r.Finished)
        {
            long sliceStart = Stopwatch.GetTimestamp();
            bool epochEnded = false;
            do
            {
                if (!StepOne(r, ref epochEnded)) break;
                batches++;
            } while (playing && !r.Finished && Stopwatch.GetElapsedTime(sliceStart).TotalMilliseconds < SliceMilliseconds);
            frames++;
            frameTimes = frameTimes with { Training = Stopwatch.GetElapsedTime(sliceStart).TotalMilliseconds };
            double seconds = Stopwatch.GetElapsedTime(secondStart).TotalSeconds;
            if (seconds >= 1)
            {
                (batchesPerSecond, framesPerSecond) = (batches / seconds, frames / seconds);
                (secondStart, frames, batches) = (Stopwatch.GetTimestamp(), 0, 0);
            }
            if (run != r) break;  // reset or restarted from a handler while this slice ran
            networkDue = Stopwatch.GetElapsedTime(networkDrawn) >= NetworkInterval;
            Refresh();
            StateHasChanged();
            await Browser.NextFrame();
        }
        playing = false;
        networkDue = true;
        Refresh();
        StateHasChanged();
    }

    /// <summary>One batch; records the epoch's metrics when it ends one; a diverged run stops with its message.</summary>
    bool StepOne(TrainingRun r, ref bool epochEnded)
    {
        try
        {
            if (r.StepBatch())
            {
                epochEnded = true;
                history.Add(r.Measure());
            }
            return true;
        }
        catch (BackpropException e)
        {
            playing = false;
            diverged = true;
            error = $"Training stopped: {e.Message}. Reset to start again, with a smaller learning rate.";
            return false;
        }
    }

    void Pause() => playing = false;

    void StepBatch()
    {
        if (run is null || playing || diverged || run.Finished) return;
        bool ended = false;
        StepOne(run, ref ended);
        Refresh();
    }

    void StepEpoch()
    {
        if (run is null || playing || diverged || run.Finished) return;
        bool ended = false;
        while (!ended && !run.Finished && StepOne(run, ref ended)) { }
        Refresh();
    }

    void Reset()
    {
        error = null;
        Restart(settings);
    }

    void SetStopAfter(int epochs)
    {
        // Stopping later or earlier does not change the steps already taken: the run goes on, only the command changes.
        if (run is null) return;
        try
        {
            run.StopAfter(epochs);
            settings = run.Settings;
            WriteHash();
            error = null;
        }
        catch (BackpropException e) { error = e.Message; }
    }

    void Select(Selection selection)
    {
        selected = selection;
        WriteHash();
        Explain();
    }

    void EditParameter(Selection s, float value)
    {
        if (run is null) return;
        var layer = run.Network.Layers[s.Layer];
        if (!float.IsFinite(value)) { error = "a weight or bias must be a finite number"; return; }
        if (s.Bias) layer.Biases[s.J] = value;
        else layer.Weights[s.J * layer.InputSize + s.K] = value;
        edited = true;
        networkDue = true;
        Refresh();
    }

    async Task OpenCsv(InputFileChangeEventArgs e)
    {
        string name = SafeFileName(e.File.Name, ".csv");
        try
        {
            await Save(e.File, name);
            error = null;
            ReadCsv(name);
        }
        catch (Exception ex) when (ex is BackpropException or IOException)
        {
            error = ex.Message;
        }
    }

    /// <summary>Trains on the saved file <paramref name="name"/> read as <see cref="fileTask"/>; a file refused is kept,
    /// so that choosing the other task reads it again (a browser does not report the same file chosen twice).</summary>
    void ReadCsv(string name)
    {
        var next = WithFileTask(settings with
        {
            Data = "csv:" + name, LabelColumn = null, Features = "x1,x2", Standardize = true, Noise = null,
            TestFraction = settings.TestFraction > 0 ? settings.TestFraction : 0.5,
        }, fileTask);
        (planeX, planeY) = (0, 1);
        refusedCsv = null;
        if (Restart(next)) return;
        refusedCsv = name;
        error = InPageWords(error);
    }

    async Task OpenModel(InputFileChangeEventArgs e)
    {
        string name = SafeFileName(e.File.Name, ".safetensors");
        try
        {
            await Save(e.File, name);
            var model = ModelFile.Load(name);
            var architecture = model.Network.Architecture;
            // A CSV file is read as the model's task; a built-in set has its own, which must be the model's.
            if (model.Task != settings.Task && !settings.IsCsv)
                throw new BackpropException(model.Task == LearningTask.Regression
                    ? $"{name} is a regression model: open the CSV file it was trained on as a regression, or choose plane or gaussians, then open the model"
                    : $"{name} is a classification model but {settings.Data} is a regression: choose data with classes, then open the model");
            var next = WithFileTask(settings, model.Task) with
            {
                HiddenLayers = architecture.Sizes.Skip(1).SkipLast(1).ToArray(),
                Activation = architecture.HiddenActivationsText,
                OutputActivation = architecture.OutputActivation.Name,
                Cost = architecture.Cost.Name,
                Features = model.Features?.ToString() ?? "x1,x2",
                Standardize = model.Standardizer != null,
            };
            error = null;
            if (Restart(next, model)) error = null;
        }
        catch (Exception ex) when (ex is BackpropException or IOException)
        {
            error = ex.Message;
        }
    }

    /// <summary>CSV data read as <paramref name="task"/>: a regression's output is the number itself (identity, quadratic
    /// cost), classes get softmax and cross-entropy back. Other data keeps its own task.</summary>
    static RunSettings WithFileTask(RunSettings next, LearningTask task)
    {
        if (!next.IsCsv || next.Task == task && next.CsvTask == task) return next;
        return OutputFor(next with { CsvTask = task }, task);
    }

    /// <summary>The output layer and cost of <paramref name="task"/>: a regression's output is the number itself (identity,
    /// quadratic cost); classes get softmax and cross-entropy.</summary>
    internal static RunSettings OutputFor(RunSettings settings, LearningTask task) => task == LearningTask.Regression
        ? settings with { OutputActivation = "identity", Cost = "quadratic" }
        : settings with { OutputActivation = "softmax", Cost = "cross-entropy" };

    /// <summary>What a CSV file's target column holds: the current file is read again as it; the next file opened is read so.</summary>
    void SetFileTask(LearningTask task)
    {
        error = null;
        fileTask = task;
        if (!settings.IsCsv && refusedCsv is { } refused)
        {
            ReadCsv(refused);
            return;
        }
        if (!settings.IsCsv || settings.CsvTask == task) return;
        if (Restart(WithFileTask(settings, task))) return;
        fileTask = settings.CsvTask;  // the file stays read as it was
        error = InPageWords(error);
    }

    /// <summary>The reader's fix in the command's words ("add --task regression") is the task switch beside the file here
    /// (which reads a refused file again).</summary>
    static string? InPageWords(string? message) => message?
        .Replace("add --task regression", "choose “numbers: a regression” beside the file")
        .Replace("needs --task regression", "is read with “numbers: a regression” beside the file");

    static async Task Save(IBrowserFile file, string name)
    {
        if (file.Size > MaximumUploadBytes)
            throw new BackpropException($"{file.Name} is {file.Size:N0} bytes; the playground reads files up to {MaximumUploadBytes:N0} bytes — use the command line for larger ones");
        await using var source = file.OpenReadStream(MaximumUploadBytes);
        await using var target = File.Create(name);
        await source.CopyToAsync(target);
    }

    /// <summary>The file's own name (it appears in the command), without folders or characters a shell would read.</summary>
    static string SafeFileName(string name, string extension)
    {
        var clean = new string(Path.GetFileName(name).Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
        return clean.Length == 0 || clean.StartsWith('.') ? "upload" + extension : clean;
    }

    void DownloadModel()
    {
        if (run is null) return;
        Browser.Download("model.safetensors", run.ModelBytes());
    }

    void SetPlane(int x, int y)
    {
        if (run is null || x == y) { error = "choose two different columns for the plane"; return; }
        (planeX, planeY) = (x, y);
        WriteHash();
        MakeMaps();
        Refresh();
    }

    public void Dispose()
    {
        playing = false;
        gemmSwitch?.Dispose();
    }
}

// What the panels read and call. The panels hold no state of their own beyond what they are editing.
public partial class Playground
{
    internal RunSettings Settings => settings;
    internal TrainingRun? Run => run;
    internal RunMetrics? Current => current;
    internal IReadOnlyList<RunMetrics> History => history;
    internal PlaneMaps? Map => map;
    internal bool Playing => playing;
    internal bool Diverged => diverged;
    internal bool Edited => edited;
    internal (int X, int Y) Plane => (planeX, planeY);
    internal Selection? Selected => selected;
    internal (double Batches, double Frames) Speed => (batchesPerSecond, framesPerSecond);
    internal FrameTimes LastFrame => frameTimes;
    /// <summary>The instructions the library's matrix products run on here, and whether the gemm= switch changed them.</summary>
    internal string Gemm => gemmSwitch is null ? MatrixProducts.Description
        : $"{MatrixProducts.Description}, by the benchmarking switch gemm= in the address (the default here: {gemmDefault}; results can differ from it in the last digits)";
    /// <summary>Whether this render draws the network panel (see <see cref="NetworkInterval"/>).</summary>
    internal bool NetworkDue => networkDue;

    // A handler inside a panel renders only that panel; the page renders itself (and so every panel) after each.
    internal void Apply(RunSettings next) => Then(() => Change(next));
    internal void Report(string message) => Then(() => error = message);
    internal Task PlayAsync() => Play();
    internal void PauseRun() => Then(Pause);
    internal void Step() => Then(StepBatch);
    internal void Epoch() => Then(StepEpoch);
    internal void ResetRun() => Then(Reset);
    internal void StopAfter(int epochs) => Then(() => SetStopAfter(epochs));
    internal void Choose(Selection s) => Then(() => Select(s));
    internal void Edit(Selection s, float value) => Then(() => EditParameter(s, value));
    internal LearningTask FileTask => fileTask;
    internal void ChooseFileTask(LearningTask task) => Then(() => SetFileTask(task));
    internal async Task CsvChosen(InputFileChangeEventArgs e) { await OpenCsv(e); FileInputs++; StateHasChanged(); }
    internal async Task ModelChosen(InputFileChangeEventArgs e) { await OpenModel(e); FileInputs++; StateHasChanged(); }

    /// <summary>
    /// The file choosers' key: a new value after every opened file gives them new, empty elements. A chooser keeps
    /// the name of the file last chosen, and choosing that file again (after training on from it, say) fires no
    /// change event, so reopening it did nothing.
    /// </summary>
    internal int FileInputs { get; private set; }
    internal void Download() => DownloadModel();
    internal void ChoosePlane(int x, int y) => Then(() => SetPlane(x, y));
    internal bool Discretize { get => discretize; set => Then(() => discretize = value); }
    internal bool ShowTest { get => showTest; set => Then(() => showTest = value); }

    void Then(Action action)
    {
        networkDue = true;
        action();
        StateHasChanged();
    }
    internal void Redraw() => StateHasChanged();
}
