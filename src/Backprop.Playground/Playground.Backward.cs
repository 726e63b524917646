using System.Globalization;
using Backprop.Data;
using Backprop.Explaining;
using Backprop.Playground.Drawing;

namespace Backprop.Playground;

/// <summary>
/// The backward pass in the page: a selected example (of the data <c>backprop explain --model</c> reads: the test part,
/// or all the data when there is none), the receipt of the selected weight or bias on it or over the last mini-batch,
/// and the step-through of the example's forward pass, backward pass and update. The library computes every number
/// (<see cref="ParameterReceipt"/>, <see cref="BackpropagationWalk"/>, <see cref="DerivativeCost"/>).
/// </summary>
public partial class Playground
{
    int? example;
    bool overBatch, walkPlaying;
    int stage;
    ParameterReceipt? receipt;
    BatchDerivative? batchReceipt;
    BackpropagationWalk? walk;
    /// <summary>A slow play shows each stage this long: long enough to read the numbers that changed.</summary>
    static readonly TimeSpan StageInterval = TimeSpan.FromMilliseconds(900);

    /// <summary>The examples that <c>explain --example N</c> numbers: the test part, or all the training data without one.</summary>
    internal Dataset? ExplainedData => run is null ? null : run.Test is { Count: > 0 } test ? test : run.Train;
    internal string ExplainedPart => run?.Test is { Count: > 0 } ? "test part" : "training data";
    internal int? Example => example;
    internal bool OverBatch => overBatch;
    internal ParameterReceipt? Receipt => receipt;
    internal BatchDerivative? BatchReceipt => batchReceipt;
    internal BackpropagationWalk? Walk => walk;
    internal int Stage => stage;
    internal bool WalkPlaying => walkPlaying;

    /// <summary>The selection as the library (and <c>explain --weight L:J:K</c>) names it: layers from 1.</summary>
    internal static ParameterReference Reference(Selection s) => new(s.Layer + 1, s.J, s.Bias ? null : s.K);

    /// <summary>The address: the run's settings, then the plane, the example and the parameter chosen.</summary>
    void WriteHash()
    {
        if (run is null) return;
        var c = CultureInfo.InvariantCulture;
        string hash = "#" + run.Query + (run.RawTrain.FeatureCount > 2 && run.RawTrain.FeatureCount != DigitsData.Side * DigitsData.Side ? $"&plane={planeX},{planeY}" : "");
        if (example is int n) hash += string.Create(c, $"&example={n}");
        if (selected is { } s)
            hash += s.Bias ? string.Create(c, $"&bias={s.Layer + 1}:{s.J}") : string.Create(c, $"&weight={s.Layer + 1}:{s.J}:{s.K}");
        Browser.SetHash(hash + PanelKeys.Text);   // the chain and descend panels' keys
    }

    /// <summary>Reads example=N, weight=L:J:K and bias=L:J from the address; a bad one gets a message and is dropped.</summary>
    void ReadSelection(string hash)
    {
        if (run is null) return;
        foreach (var part in hash.TrimStart('#').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=');
            if (equals < 0) continue;
            string key = part[..equals], value = Uri.UnescapeDataString(part[(equals + 1)..]);
            try
            {
                switch (key)
                {
                    case "example":
                        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n >= ExplainedData!.Count)
                            throw new BackpropException($"example={value} is not an example of the {ExplainedPart}: give 0…{ExplainedData!.Count - 1}");
                        example = n;
                        break;
                    case "weight" or "bias":
                        var p = (key == "weight" ? ParameterReference.ParseWeight(value) : ParameterReference.ParseBias(value)).CheckIn(run.Network.Architecture);
                        selected = new Selection(p.Layer - 1, p.Neuron, p.Input ?? 0, p.IsBias);
                        break;
                }
            }
            catch (BackpropException e)
            {
                error = $"The address could not be read: {e.Message.Replace("--weight", "weight=").Replace("--bias", "bias=")}.";
            }
        }
        networkDue = true;
        Explain();
    }

    /// <summary>After a restart the example stays chosen while the data still has it; the stage goes back to the input.</summary>
    void KeepExample()
    {
        if (example is int n && (ExplainedData is null || n >= ExplainedData.Count)) example = null;
        stage = 0;
        walkPlaying = false;
    }

    /// <summary>The receipt and the walk for what is selected, on the network as it stands.</summary>
    void Explain()
    {
        receipt = null;
        batchReceipt = null;
        walk = null;
        if (run is null || ExplainedData is not { } data) return;
        try
        {
            if (example is int n && n < data.Count)
            {
                walk = BackpropagationWalk.Of(run.Network, data, n, run.Settings.LearningRate);
                if (selected is { } s) receipt = ParameterReceipt.For(run.Network, data, n, Reference(s));
            }
            if (selected is { } t && overBatch && run.LastBatch is { Length: > 0 } batch)
                batchReceipt = ParameterReceipt.OverBatch(run.Network, run.Train, batch, Reference(t));
        }
        catch (BackpropException e)
        {
            error = e.Message;
        }
    }

    void ChooseExampleNow(int n)
    {
        if (ExplainedData is not { } data || n < 0 || n >= data.Count)
        {
            error = $"{n} is not an example of the {ExplainedPart}: choose 0…{(ExplainedData?.Count ?? 1) - 1}";
            return;
        }
        example = n;
        if (stage >= (walk?.Stages.Count ?? int.MaxValue)) stage = 0;
        WriteHash();
        Explain();
    }

    void MoveStage(int change)
    {
        if (walk is null) return;
        stage = Math.Clamp(stage + change, 0, walk.Stages.Count - 1);
    }

    async Task PlayWalk()
    {
        if (walk is null || walkPlaying) return;
        walkPlaying = true;
        if (stage >= walk.Stages.Count - 1) stage = 0;
        StateHasChanged();
        while (walkPlaying && walk is { } w && stage < w.Stages.Count - 1)
        {
            await Task.Delay(StageInterval);
            if (!walkPlaying) break;
            stage++;
            StateHasChanged();
        }
        walkPlaying = false;
        StateHasChanged();
    }

    internal void ChooseExample(int n) => Then(() => ChooseExampleNow(n));
    internal void SetOverBatch(bool value) => Then(() => { overBatch = value; Explain(); });
    internal void StageBy(int change) => Then(() => { walkPlaying = false; MoveStage(change); });
    internal void StageTo(int value) => Then(() => { walkPlaying = false; stage = Math.Clamp(value, 0, (walk?.Stages.Count ?? 1) - 1); });
    internal Task PlayWalkAsync() => PlayWalk();
    internal void PauseWalk() => Then(() => walkPlaying = false);
}
