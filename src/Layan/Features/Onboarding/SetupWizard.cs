using System.Globalization;
using System.Text.Json;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Onboarding;

/// <summary>One opening range of one weekday, <c>HH:mm</c> local time of the workspace.</summary>
internal sealed record OpeningHours(DayOfWeek Day, string Open, string Close);

/// <summary>ONB-5: the opening hours of a workspace (the SLA engine's calendars refine them later).</summary>
internal static class BusinessHours
{
    /// <summary>Monday to Friday, 09:00–17:00: the default before anyone sets them.</summary>
    public static IReadOnlyList<OpeningHours> Default { get; } =
        [.. Enumerable.Range(1, 5).Select(d => new OpeningHours((DayOfWeek)d, "09:00", "17:00"))];

    public static IReadOnlyList<OpeningHours> Parse(string? json) =>
        json is null ? Default : JsonSerializer.Deserialize<List<OpeningHours>>(json, JsonSerializerOptions.Web) ?? [];

    /// <summary>Well-formed times, open before close, and no two ranges of a day overlapping.</summary>
    public static bool IsValid(IReadOnlyList<OpeningHours> hours)
    {
        var parsed = new List<(DayOfWeek Day, TimeOnly Open, TimeOnly Close)>();
        foreach (var range in hours)
        {
            if (!Enum.IsDefined(range.Day) ||
                !TimeOnly.TryParseExact(range.Open, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var open) ||
                !TimeOnly.TryParseExact(range.Close, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var close) ||
                open >= close)
            {
                return false;
            }
            parsed.Add((range.Day, open, close));
        }
        return parsed.GroupBy(r => r.Day).All(day => day.OrderBy(r => r.Open).Zip(day.OrderBy(r => r.Open).Skip(1)).All(p => p.First.Close <= p.Second.Open));
    }
}

/// <summary>What the workspace administrator sees of the wizard: where they are and what is set.</summary>
internal sealed record SetupState(
    Guid WorkspaceId, string? Step, int StepNumber, int StepCount, string Language, string TimeZone, IReadOnlyList<OpeningHours> Hours,
    string? CardBrand, string? CardLast4, bool NotifyByEmail, bool NotifyWithSound);

/// <summary>
/// ONB-5: the initial setup of an active workspace: preferences, a payment method (ONB-7),
/// notifications. Each step can be saved or skipped; the wizard remembers the next step, so it
/// can be left and resumed, and shows the progress. Only the workspace's Administrators run it.
/// </summary>
internal sealed class SetupWizard(LayanDbContext db, Applications applications, IPaymentProvider payments, AuditLog audit, TimeProvider clock)
{
    public const string Preferences = "preferences";
    public const string Payment = "payment";
    public const string Notifications = "notifications";

    public static IReadOnlyList<string> Steps { get; } = [Preferences, Payment, Notifications];

    /// <summary>The wizard of an active workspace the user administers; null otherwise (not found).</summary>
    public async Task<SetupState?> StateAsync(Guid userId, Guid workspaceId, CancellationToken cancellationToken) =>
        await AdministeredAsync(userId, workspaceId, cancellationToken) is { } workspace ? await StateOfAsync(workspace, cancellationToken) : null;

    public Task<Result<SetupState>?> SavePreferencesAsync(
        Guid userId, Guid workspaceId, string? language, string? timeZone, IReadOnlyList<OpeningHours>? hours, CancellationToken cancellationToken) =>
        StepAsync(userId, workspaceId, Preferences, workspace =>
        {
            var errors = new List<Failure>();
            if (!SupportedLanguages.IsSupported(language))
            {
                errors.Add(new Failure(OnboardingErrors.LanguageInvalid, "language"));
            }
            if (!Countries.IsTimeZone(timeZone))
            {
                errors.Add(new Failure(OnboardingErrors.TimeZoneInvalid, "timeZone"));
            }
            if (hours is null || !BusinessHours.IsValid(hours))
            {
                errors.Add(new Failure(OnboardingErrors.BusinessHoursInvalid, "hours"));
            }
            if (errors.Count > 0)
            {
                return Task.FromResult<IReadOnlyList<Failure>>(errors);
            }
            workspace.DefaultLanguage = language!;
            workspace.TimeZone = timeZone!;
            workspace.BusinessHours = JsonSerializer.Serialize(hours, JsonSerializerOptions.Web);
            return Task.FromResult<IReadOnlyList<Failure>>([]);
        }, cancellationToken);

    public Task<Result<SetupState>?> AddCardAsync(Guid userId, Guid workspaceId, CardDetails card, CancellationToken cancellationToken) =>
        StepAsync(userId, workspaceId, Payment, async workspace =>
        {
            var token = await payments.TokenizeAsync(card, cancellationToken);
            if (!token.Succeeded)
            {
                return token.Errors;
            }
            var saved = token.Value!;
            // Replaced when the step is saved: the old card and the new one change in one SaveChanges.
            db.RemoveRange(await db.Set<PaymentMethod>().Where(p => p.WorkspaceId == workspace.Id).ToListAsync(cancellationToken));
            db.Add(new PaymentMethod
            {
                WorkspaceId = workspace.Id,
                Provider = payments.Name,
                Token = saved.Token,
                Brand = saved.Brand,
                Last4 = saved.Last4,
                ExpiryMonth = saved.ExpiryMonth,
                ExpiryYear = saved.ExpiryYear,
                CreatedAt = clock.GetUtcNow(),
            });
            return [];
        }, cancellationToken);

    public Task<Result<SetupState>?> SaveNotificationsAsync(Guid userId, Guid workspaceId, bool byEmail, bool withSound, CancellationToken cancellationToken) =>
        StepAsync(userId, workspaceId, Notifications, workspace =>
        {
            workspace.NotifyByEmail = byEmail;
            workspace.NotifyWithSound = withSound;
            return Task.FromResult<IReadOnlyList<Failure>>([]);
        }, cancellationToken);

    /// <summary>Moves past <paramref name="step"/> without changing anything.</summary>
    public Task<Result<SetupState>?> SkipAsync(Guid userId, Guid workspaceId, string? step, CancellationToken cancellationToken) =>
        Steps.Contains(step)
            ? StepAsync(userId, workspaceId, step!, _ => Task.FromResult<IReadOnlyList<Failure>>([]), cancellationToken)
            : Task.FromResult<Result<SetupState>?>(new Failure(OnboardingErrors.DecisionInvalid, "step"));

    // Applies one step and moves the wizard to the step after it (or to the end).
    private async Task<Result<SetupState>?> StepAsync(
        Guid userId, Guid workspaceId, string step, Func<Workspace, Task<IReadOnlyList<Failure>>> apply, CancellationToken cancellationToken)
    {
        if (await AdministeredAsync(userId, workspaceId, cancellationToken) is not { } workspace)
        {
            return null;
        }
        var errors = await apply(workspace);
        if (errors.Count > 0)
        {
            return Result<SetupState>.Failed(errors);
        }
        var index = Position(step);
        var current = Position(workspace.SetupStep);
        if (index >= current)
        {
            workspace.SetupStep = index + 1 < Steps.Count ? Steps[index + 1] : null;
        }
        audit.Record($"workspace.setup.{step}", $"workspaces/{workspace.Id}", null, new { step, next = workspace.SetupStep }, actorId: userId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return await StateOfAsync(workspace, cancellationToken);
    }

    // A step's place in the wizard; past the end once it is done (null).
    private static int Position(string? step) => step is null ? Steps.Count : Steps.ToList().IndexOf(step);

    private async Task<Workspace?> AdministeredAsync(Guid userId, Guid workspaceId, CancellationToken cancellationToken) =>
        await applications.AccessAsync(userId, workspaceId, cancellationToken) is { Role: WorkspaceRoles.Administrator } access &&
        access.Workspace.Status == WorkspaceStatus.Active
            ? access.Workspace
            : null;

    private async Task<SetupState> StateOfAsync(Workspace workspace, CancellationToken cancellationToken)
    {
        var card = await db.Set<PaymentMethod>().AsNoTracking().Where(p => p.WorkspaceId == workspace.Id).FirstOrDefaultAsync(cancellationToken);
        var number = Position(workspace.SetupStep);
        return new SetupState(
            workspace.Id, workspace.SetupStep, number, Steps.Count, workspace.DefaultLanguage, workspace.TimeZone, BusinessHours.Parse(workspace.BusinessHours),
            card?.Brand, card?.Last4, workspace.NotifyByEmail, workspace.NotifyWithSound);
    }
}
