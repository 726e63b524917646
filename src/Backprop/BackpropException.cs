namespace Backprop;

/// <summary>
/// A problem with what the user gave us — a file, a flag, a shape — rather than a bug.
/// The message is one line that names the problem and the fix; the command line maps it to exit code 2.
/// </summary>
public sealed class BackpropException(string message) : Exception(message);
