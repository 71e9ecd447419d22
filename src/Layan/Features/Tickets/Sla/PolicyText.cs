using System.Globalization;

namespace Layan.Features.Tickets.Sla;

/// <summary>
/// The settings page's plain-text forms of calendars and policies, one item per line:
/// <c>Monday 09:00-17:00</c> for opening hours, <c>2025-12-25</c> for holidays (a pasted list
/// imports them), and <c>first_response sev1 high 10 minutes</c> for a target (severity and priority
/// optional). A line that does not split is passed on as it is, so the same validation as the API
/// names it.
/// </summary>
internal static class PolicyText
{
    public static List<string?> Lines(string? text) =>
        [.. (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    public static List<SlaPreviewHours?> Hours(string? text) =>
        [.. Lines(text).Select(line =>
        {
            var parts = line!.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var range = parts.Length == 2 ? parts[1].Split('-', 2, StringSplitOptions.TrimEntries) : [];
            return (SlaPreviewHours?)new SlaPreviewHours(parts[0], range.Length == 2 ? range[0] : null, range.Length == 2 ? range[1] : null);
        })];

    public static List<PolicyTargetInput?> Targets(string? text) =>
        [.. Lines(text).Select(line =>
        {
            var words = line!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 3)
            {
                return new PolicyTargetInput(words[0], null, null, null, null);
            }
            int? severity = null;
            string? priority = null;
            foreach (var word in words[1..^2])
            {
                if (word.StartsWith("sev", StringComparison.OrdinalIgnoreCase))
                {
                    severity = int.TryParse(word[3..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
                }
                else
                {
                    priority = word.ToLowerInvariant();
                }
            }
            var amount = int.TryParse(words[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : (int?)null;
            return (PolicyTargetInput?)new PolicyTargetInput(words[0].ToLowerInvariant(), severity, priority, amount, words[^1]);
        })];

    public static string Format(IEnumerable<PolicyTarget> targets) =>
        string.Join('\n', targets.Select(t => string.Join(' ', new[]
        {
            t.Target, t.Severity is { } s ? $"sev{s.ToString(CultureInfo.InvariantCulture)}" : null, t.Priority, t.Amount.ToString(CultureInfo.InvariantCulture), t.Unit,
        }.Where(w => w is not null))));
}
