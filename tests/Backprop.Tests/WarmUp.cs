namespace Backprop.Tests;

/// <summary>Gets a piece of code past its first calls before a test counts what it allocates.</summary>
public static class WarmUp
{
    /// <summary>
    /// Runs <paramref name="step"/> 40 times, waits, and again: past first-use buffers and threads, and past tiered
    /// compilation, which promotes a method after 30 calls on a background thread that it may first have to create
    /// (a managed Thread, allocated by whichever caller crossed the count: seen as 2,352 bytes in a GEMM test).
    /// </summary>
    public static void PastTieredCompilation(Action step)
    {
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 40; i++) step();
            Thread.Sleep(250);
        }
    }
}
