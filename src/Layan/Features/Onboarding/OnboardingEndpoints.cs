using System.Security.Claims;
using Layan.Features.Accounts;
using Layan.Features.Operator;
using Layan.Infrastructure;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Layan.Features.Onboarding;

/// <summary>
/// <c>/api/v1/workspaces</c> (open, list, application, documents, submit, activate, setup) and
/// <c>/api/v1/operator</c> (review queue, claims, decisions, regional rules). A workspace the
/// caller does not belong to is "not found", the same as one that does not exist.
/// </summary>
internal static class OnboardingEndpoints
{
    internal sealed record PreferencesBody(string? Language, string? TimeZone, IReadOnlyList<OpeningHours>? Hours);

    internal sealed record NotificationsBody(bool ByEmail, bool WithSound);

    internal sealed record StepBody(string? Step);

    internal sealed record TokenBody(string? Token);

    internal sealed record GrantBody(string? Email, string? Role);

    internal sealed record RoleBody(string? Role);

    public static void MapOnboardingEndpoints(this WebApplication app)
    {
        var workspaces = app.MapApiGroup("workspaces", "Workspaces").RequireAuthorization();
        workspaces.MapPost("", OpenAsync).WithSummary("Open a workspace: individual or business, name, country, time zone, language (ONB-1).");
        workspaces.MapGet("", MineAsync).WithSummary("The caller's workspaces with their role (ONB-6).");
        workspaces.MapGet("/{id:guid}", ApplicationAsync).WithSummary("A workspace's application: status, reasons, the documents its rules ask for (ONB-3).");
        // Multipart, so antiforgery-checked like every form (the application page posts here too).
        workspaces.MapPost("/{id:guid}/documents", UploadAsync)
            .WithMetadata(new RequestSizeLimitAttribute(16 * 1024 * 1024))
            .WithSummary("Upload a document: fields `kind` and `file` (PDF, JPEG or PNG by content, at most 10 MB) (ONB-2).");
        workspaces.MapGet("/{id:guid}/documents", DocumentsAsync).WithSummary("The application's current documents and their verdicts.");
        workspaces.MapGet("/{id:guid}/documents/{documentId:guid}", DownloadAsync).WithSummary("Download one of the application's documents.");
        workspaces.MapPost("/{id:guid}/activation-link", ResendActivationAsync).RequireRateLimiting(RateLimits.Auth)
            .WithSummary("Email a new activation link for an approved workspace (the old one stops working) (ONB-4).");
        workspaces.MapPost("/{id:guid}/submit", SubmitAsync).WithSummary("Send the application for review once every required document is in (ONB-3).");
        app.MapApiGroup("workspaces", "Workspaces").RequireRateLimiting(RateLimits.Auth)
            .MapPost("/activate", ActivateAsync).WithSummary("Activate an approved workspace with the emailed link's token (ONB-4).");
        var setup = workspaces.MapGroup("/{id:guid}/setup");
        setup.MapGet("", SetupAsync).WithSummary("The setup wizard: the next step and what is set (ONB-5).");
        setup.MapPost("/preferences", PreferencesAsync).WithSummary("Language, time zone and business hours.");
        setup.MapPost("/payment-method", PaymentMethodAsync).WithSummary("A card, tokenized by the payment provider; only the token and last four digits are kept (ONB-7).");
        setup.MapPost("/notifications", NotificationsAsync).WithSummary("Notification defaults (NOT-1).");
        setup.MapPost("/skip", SkipAsync).WithSummary("Skip a step; the wizard can be resumed.");

        var reviews = app.MapApiGroup("operator", "Operator").RequireAuthorization(OperatorPolicies.Reviewers).MapGroup("/reviews");
        reviews.MapGet("", QueueAsync).WithSummary("Applications waiting for review, oldest first; filters country, type, status (ONB-3).");
        reviews.MapGet("/{id:guid}", ReviewAsync).WithSummary("One application with its documents (reading them is audited).");
        reviews.MapPost("/{id:guid}/claim", ClaimAsync).WithSummary("Claim an application for 30 minutes; 409 claim_held when another reviewer has it.");
        reviews.MapPost("/{id:guid}/release", ReleaseAsync).WithSummary("Give a claim back.");
        reviews.MapPost("/{id:guid}/decision", DecideAsync).WithSummary("approve, reject (reason) or request_changes (per-document verdicts).");
        reviews.MapPost("/{id:guid}/activation-link", ReviewerResendActivationAsync).WithSummary("Email the applicant a new activation link (approved workspaces).");
        reviews.MapGet("/{id:guid}/documents/{documentId:guid}", ReviewDocumentAsync).WithSummary("A document, inline (the browser's PDF viewer or image).");
        var rules = app.MapApiGroup("operator", "Operator").RequireAuthorization(OperatorPolicies.Admins).MapGroup("/regional-rules");
        rules.MapGet("", RulesAsync).WithSummary("The regional rules (ACC-10).");
        rules.MapPut("", SaveRuleAsync).WithSummary("Add or change the rule of one country (`*` is every other country).");
        var staff = app.MapApiGroup("operator", "Operator").RequireAuthorization(OperatorPolicies.Admins).MapGroup("/staff");
        staff.MapGet("", StaffAsync).WithSummary("Everyone with an operator role.");
        staff.MapPost("", GrantAsync).WithSummary("Grant an operator role (`operator-admin`, `reviewer`, `support-engineer`) to a verified account by its address.");
        staff.MapPost("/{userId:guid}/revoke", RevokeAsync).WithSummary("Take an operator role away; the last operator admin keeps theirs.");
    }

    private static Guid Me(ClaimsPrincipal principal, UserManager<User> users) => MySecurity.UserId(principal, users)!.Value;

    private static ProblemHttpResult Problem(IReadOnlyList<Failure> errors, IStringLocalizer<OnboardingResource> strings, HttpContext http) =>
        errors.ToProblem(OnboardingErrors.StatusOf(errors[0]), strings, http);

    // Null (no access) is 404; a failure is its problem; else 200 with the value.
    private static Results<Ok<T>, NotFound, ProblemHttpResult> Answer<T>(Result<T>? result, IStringLocalizer<OnboardingResource> strings, HttpContext http) =>
        result is not { } outcome ? TypedResults.NotFound()
            : outcome.Succeeded ? TypedResults.Ok(outcome.Value!)
            : Problem(outcome.Errors, strings, http);

    private static async Task<Results<Created<WorkspaceSummary>, ProblemHttpResult>> OpenAsync(
        OpenRequest body, ClaimsPrincipal principal, UserManager<User> users, Applications applications, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await applications.OpenAsync(Me(principal, users), body, cancellationToken);
        if (!result.Succeeded)
        {
            return Problem(result.Errors, strings, http);
        }
        var workspace = result.Value!;
        return TypedResults.Created($"/api/v1/workspaces/{workspace.Id}",
            new WorkspaceSummary(workspace.Id, workspace.Name, workspace.Type, workspace.Country, workspace.Status, Workspaces.WorkspaceRoles.Administrator));
    }

    private static async Task<Ok<IReadOnlyList<WorkspaceSummary>>> MineAsync(ClaimsPrincipal principal, UserManager<User> users, Applications applications, CancellationToken cancellationToken) =>
        TypedResults.Ok(await applications.MineAsync(Me(principal, users), cancellationToken));

    private static async Task<Results<Ok<ApplicationView>, NotFound>> ApplicationAsync(
        Guid id, ClaimsPrincipal principal, UserManager<User> users, Applications applications, CancellationToken cancellationToken) =>
        await applications.ViewAsync(Me(principal, users), id, cancellationToken) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();

    private static async Task<Results<Created<DocumentItem>, RedirectHttpResult, NotFound, ProblemHttpResult>> UploadAsync(
        Guid id, [FromForm] string? kind, IFormFile? file, [FromForm] string? returnTo, ClaimsPrincipal principal, UserManager<User> users,
        Applications applications, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        if (await applications.UploadAsync(Me(principal, users), id, kind, file, cancellationToken) is not { } result)
        {
            return TypedResults.NotFound();
        }
        if (returnTo == "page")
        {
            // The application page's form without JavaScript: back to the page with the outcome.
            var outcome = result.Succeeded ? $"uploaded={kind}" : $"uploadError={result.Errors[0].Code}&kind={Uri.EscapeDataString(kind ?? "")}";
            return TypedResults.LocalRedirect($"/workspaces/{id}/application?{outcome}");
        }
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/workspaces/{id}/documents/{result.Value!.Id}", result.Value)
            : Problem(result.Errors, strings, http);
    }

    private static async Task<Results<Ok<IReadOnlyList<DocumentItem>>, NotFound>> DocumentsAsync(
        Guid id, ClaimsPrincipal principal, UserManager<User> users, Applications applications, CancellationToken cancellationToken) =>
        await applications.AccessAsync(Me(principal, users), id, cancellationToken) is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(await applications.CurrentDocumentsAsync(id, cancellationToken));

    private static async Task<Results<FileStreamHttpResult, NotFound>> DownloadAsync(
        Guid id, Guid documentId, ClaimsPrincipal principal, UserManager<User> users, Applications applications, HttpContext http, CancellationToken cancellationToken) =>
        Serve(await applications.OpenDocumentAsync(Me(principal, users), id, documentId, cancellationToken), http, inline: false);

    private static async Task<Results<Accepted, NotFound>> ResendActivationAsync(
        Guid id, ClaimsPrincipal principal, UserManager<User> users, Applications applications, Reviews reviews, CancellationToken cancellationToken) =>
        await applications.AccessAsync(Me(principal, users), id, cancellationToken) is not null &&
        await reviews.ResendActivationAsync(id, Me(principal, users).ToString(), cancellationToken)
            ? TypedResults.Accepted((string?)null)
            : TypedResults.NotFound();

    private static async Task<Results<Accepted, NotFound>> ReviewerResendActivationAsync(
        Guid id, ClaimsPrincipal principal, UserManager<User> users, Reviews reviews, CancellationToken cancellationToken) =>
        await reviews.ResendActivationAsync(id, Me(principal, users).ToString(), cancellationToken) ? TypedResults.Accepted((string?)null) : TypedResults.NotFound();

    private static async Task<Results<Ok<ApplicationView>, NotFound, ProblemHttpResult>> SubmitAsync(
        Guid id, ClaimsPrincipal principal, UserManager<User> users, Applications applications, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken) =>
        Answer(await applications.SubmitAsync(Me(principal, users), id, cancellationToken), strings, http);

    private static async Task<Results<Ok<WorkspaceSummary>, ProblemHttpResult>> ActivateAsync(
        TokenBody body, Activation activation, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await activation.ActivateAsync(body.Token, cancellationToken);
        if (!result.Succeeded)
        {
            return Problem(result.Errors, strings, http);
        }
        var workspace = result.Value!;
        return TypedResults.Ok(new WorkspaceSummary(workspace.Id, workspace.Name, workspace.Type, workspace.Country, workspace.Status, Workspaces.WorkspaceRoles.Administrator));
    }

    private static async Task<Results<Ok<SetupState>, NotFound>> SetupAsync(
        Guid id, ClaimsPrincipal principal, UserManager<User> users, SetupWizard wizard, CancellationToken cancellationToken) =>
        await wizard.StateAsync(Me(principal, users), id, cancellationToken) is { } state ? TypedResults.Ok(state) : TypedResults.NotFound();

    private static async Task<Results<Ok<SetupState>, NotFound, ProblemHttpResult>> PreferencesAsync(
        Guid id, PreferencesBody body, ClaimsPrincipal principal, UserManager<User> users, SetupWizard wizard, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken) =>
        Answer(await wizard.SavePreferencesAsync(Me(principal, users), id, body.Language, body.TimeZone, body.Hours, cancellationToken), strings, http);

    private static async Task<Results<Ok<SetupState>, NotFound, ProblemHttpResult>> PaymentMethodAsync(
        Guid id, CardDetails body, ClaimsPrincipal principal, UserManager<User> users, SetupWizard wizard, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken) =>
        Answer(await wizard.AddCardAsync(Me(principal, users), id, body, cancellationToken), strings, http);

    private static async Task<Results<Ok<SetupState>, NotFound, ProblemHttpResult>> NotificationsAsync(
        Guid id, NotificationsBody body, ClaimsPrincipal principal, UserManager<User> users, SetupWizard wizard, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken) =>
        Answer(await wizard.SaveNotificationsAsync(Me(principal, users), id, body.ByEmail, body.WithSound, cancellationToken), strings, http);

    private static async Task<Results<Ok<SetupState>, NotFound, ProblemHttpResult>> SkipAsync(
        Guid id, StepBody body, ClaimsPrincipal principal, UserManager<User> users, SetupWizard wizard, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken) =>
        Answer(await wizard.SkipAsync(Me(principal, users), id, body.Step, cancellationToken), strings, http);

    private static async Task<Ok<QueuePage>> QueueAsync(Reviews reviews, CancellationToken cancellationToken, string? country = null, string? type = null, string? status = null, int page = 1) =>
        TypedResults.Ok(await reviews.QueueAsync(new QueueFilter(country, type, status, page), cancellationToken));

    private static async Task<Results<Ok<ReviewView>, NotFound>> ReviewAsync(
        Guid id, ClaimsPrincipal principal, UserManager<User> users, Reviews reviews, CancellationToken cancellationToken) =>
        await reviews.ViewAsync(Me(principal, users), id, cancellationToken) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();

    private static async Task<Results<Ok<ReviewView>, NotFound, ProblemHttpResult>> ClaimAsync(
        Guid id, ClaimsPrincipal principal, UserManager<User> users, Reviews reviews, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken) =>
        Answer(await reviews.ClaimAsync(Me(principal, users), id, cancellationToken), strings, http);

    private static async Task<NoContent> ReleaseAsync(Guid id, ClaimsPrincipal principal, UserManager<User> users, Reviews reviews, CancellationToken cancellationToken)
    {
        await reviews.ReleaseAsync(Me(principal, users), id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ReviewView>, NotFound, ProblemHttpResult>> DecideAsync(
        Guid id, Decision body, ClaimsPrincipal principal, UserManager<User> users, Reviews reviews, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken) =>
        Answer(await reviews.DecideAsync(Me(principal, users), id, body, cancellationToken), strings, http);

    private static async Task<Results<FileStreamHttpResult, NotFound>> ReviewDocumentAsync(
        Guid id, Guid documentId, ClaimsPrincipal principal, UserManager<User> users, Reviews reviews, HttpContext http, CancellationToken cancellationToken) =>
        Serve(await reviews.OpenDocumentAsync(Me(principal, users), id, documentId, cancellationToken), http, inline: true);

    private static async Task<Ok<IReadOnlyList<RegionalRule>>> RulesAsync(RegionalRules rules, CancellationToken cancellationToken) =>
        TypedResults.Ok(await rules.AllAsync(cancellationToken));

    private static async Task<Results<Ok<RegionalRule>, NotFound, ProblemHttpResult>> SaveRuleAsync(
        RegionalRuleInput body, RegionalRules rules, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken) =>
        Answer<RegionalRule>(await rules.SaveAsync(body, cancellationToken), strings, http);

    private static async Task<Ok<IReadOnlyList<StaffMember>>> StaffAsync(OperatorStaff staff, CancellationToken cancellationToken) =>
        TypedResults.Ok(await staff.ListAsync(cancellationToken));

    private static async Task<Results<Ok<StaffMember>, NotFound, ProblemHttpResult>> GrantAsync(
        GrantBody body, ClaimsPrincipal principal, UserManager<User> users, OperatorStaff staff, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken) =>
        Answer<StaffMember>(await staff.GrantByEmailAsync(body.Email, body.Role, Me(principal, users).ToString(), cancellationToken), strings, http);

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> RevokeAsync(
        Guid userId, RoleBody body, ClaimsPrincipal principal, UserManager<User> users, OperatorStaff staff, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await staff.RevokeAsync(userId, body.Role, Me(principal, users).ToString(), cancellationToken);
        return !result.Succeeded ? Problem(result.Errors, strings, http) : result.Value ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    /// <summary>
    /// A stored document with its own name in <c>Content-Disposition</c>, never cached, never
    /// sniffed; inline ones (for reviewers' pages) may be framed by Layan's own pages only.
    /// </summary>
    internal static Results<FileStreamHttpResult, NotFound> Serve(StoredFile? file, HttpContext http, bool inline)
    {
        if (file is null)
        {
            return TypedResults.NotFound();
        }
        var headers = http.Response.Headers;
        headers.CacheControl = "private, no-store";
        if (inline)
        {
            headers.XFrameOptions = "SAMEORIGIN";
            headers.ContentSecurityPolicy = "frame-ancestors 'self'";
        }
        headers.ContentDisposition = $"{(inline ? "inline" : "attachment")}; filename*=UTF-8''{Uri.EscapeDataString(file.FileName)}";
        return TypedResults.File(file.Content, file.ContentType);
    }
}
