namespace Backprop.Serialization;

/// <summary>
/// A named F32 tensor as stored in a safetensors file. <see cref="Data"/> is row-major: for shape
/// (d₀, …, d_{r−1}) element (i₀, …, i_{r−1}) sits at index Σₖ iₖ · Π_{j&gt;k} dⱼ, and
/// <c>Data.Length == Π Shape</c> (1 for a scalar, whose shape is empty).
/// </summary>
/// <remarks>The record holds the arrays as given; it does not copy or validate them.
/// <see cref="SafeTensorsFile.ToBytes"/> and <see cref="SafeTensorsFile.Write"/> validate before writing.</remarks>
public sealed record Tensor(string Name, int[] Shape, float[] Data);
