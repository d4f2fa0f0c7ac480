using System.Text;

namespace FunctionApp.Tests.Auth;

/// <summary>The small edits the hostile generators make to a sequence of bytes or characters, and the JSON they write.</summary>
public static class SequenceEdits
{
    /// <summary>
    /// Applies each of <paramref name="ops"/> in turn: "flip" flips bit <c>Value</c> of the item at <c>Position</c>
    /// (modulo the length), "insert" and "insert char" put <paramref name="make"/>(<c>Value</c>) there, "delete"
    /// removes the item there.
    /// </summary>
    public static List<T> Apply<T>(List<T> items, (string Name, int Position, int Value)[] ops, Func<int, T> make, Func<T, int, T> flip)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentNullException.ThrowIfNull(make);
        ArgumentNullException.ThrowIfNull(flip);
        foreach (var (name, position, value) in ops)
        {
            var at = position % (items.Count + 1);
            switch (name)
            {
                case "flip" when at < items.Count:
                    items[at] = flip(items[at], value);
                    break;
                case "insert" or "insert char":
                    items.Insert(at, make(value));
                    break;
                case "delete" when at < items.Count:
                    items.RemoveAt(at);
                    break;
            }
        }

        return items;
    }

    /// <summary>
    /// A JSON object written from raw member names and values, which need not be valid JSON or UTF-8, with
    /// <paramref name="space"/> around every name, colon and closing brace.
    /// </summary>
    public static byte[] JsonObject(IEnumerable<(byte[] RawName, byte[] Value)> members, string space)
    {
        ArgumentNullException.ThrowIfNull(members);
        var json = new List<byte> { (byte)'{' };
        var first = true;
        foreach (var (rawName, value) in members)
        {
            if (!first)
            {
                json.Add((byte)',');
            }

            first = false;
            json.AddRange(Encoding.ASCII.GetBytes(space));
            json.AddRange(rawName);
            json.AddRange(Encoding.ASCII.GetBytes(space + ":" + space));
            json.AddRange(value);
        }

        json.AddRange(Encoding.ASCII.GetBytes(space + "}"));
        return [.. json];
    }
}
