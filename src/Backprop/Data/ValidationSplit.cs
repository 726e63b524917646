namespace Backprop.Data;

/// <summary>A seeded random hold-out of part of the training set, for choosing hyper-parameters without the test set.</summary>
public static class ValidationSplit
{
    /// <summary>
    /// round(fraction · n) examples chosen at random (seeded) go to Validation, the rest to Train; each part keeps
    /// the original order of its examples. Both parts must get at least one example.
    /// </summary>
    public static (Dataset Train, Dataset Validation) Split(Dataset data, double fraction, ulong seed)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new BackpropException($"ValidationSplit.Split fraction must be between 0 and 1 (exclusive), got {fraction}; try 0.1");
        int n = data.Count;
        int validationCount = (int)Math.Round(fraction * n);
        if (validationCount < 1 || validationCount > n - 1)
            throw new BackpropException(
                $"ValidationSplit.Split fraction must be between 0 and 1 and leave at least one example on each side: {fraction} of {n} examples " +
                $"gives {validationCount} for validation and {n - validationCount} for training; " +
                (n < 2 ? "the training set needs at least 2 examples" : $"use a fraction between {1.0 / n:g3} and {(n - 1.0) / n:g3}"));

        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        new Rng(seed).Shuffle(order.AsSpan());
        var validation = order[..validationCount];
        var train = order[validationCount..];
        Array.Sort(validation);
        Array.Sort(train);
        return (data.Subset(train), data.Subset(validation));
    }
}
