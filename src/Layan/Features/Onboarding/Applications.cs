using Layan.Features.Accounts;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Localization;
using Layan.Infrastructure.Storage;
using Layan.Infrastructure.Tenancy;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Onboarding;

/// <summary>What the "open a workspace" form and <c>POST /api/v1/workspaces</c> send (ONB-1).</summary>
internal sealed record OpenRequest(string? Type, string? Name, string? Country, string? TimeZone, string? Language);

/// <summary>A workspace as its member sees it in the switcher and <c>GET /api/v1/workspaces</c>.</summary>
internal sealed record WorkspaceSummary(Guid Id, string Name, string Type, string Country, string Status, string Role);

internal sealed record DocumentItem(Guid Id, string Kind, string FileName, string ContentType, long Size, DateTimeOffset UploadedAt, string Verdict, string? VerdictReason)
{
    public static DocumentItem Of(WorkspaceDocument d) => new(d.Id, d.Kind, d.FileName, d.ContentType, d.Size, d.UploadedAt, d.Verdict, d.VerdictReason);
}

/// <summary>One document the rules ask for: the current upload (if any) and whether a new one is accepted now.</summary>
internal sealed record RequiredDocument(string Kind, DocumentItem? Current, bool CanUpload);

/// <summary>The application as its applicant sees it (ONB-3's status page).</summary>
internal sealed record ApplicationView(
    Guid Id, string Name, string Type, string Country, string TimeZone, string Language, string Status, string? DecisionReason,
    IReadOnlyList<RequiredDocument> Documents, bool CanSubmit);

/// <summary>An uploaded file as it is served: bytes, type found in them, and a safe name.</summary>
internal sealed record StoredFile(Stream Content, string ContentType, string FileName);

/// <summary>
/// ONB-1, ONB-2, ONB-6 for the applicant: opening a workspace (its creator is its Administrator),
/// uploading the documents the regional rules ask for (PDF, JPEG or PNG by their bytes, at most
/// 10 MB, kept outside the web root), and submitting the application. Only members reach a
/// workspace; anyone else gets "not found".
/// </summary>
internal sealed class Applications(
    LayanDbContext db,
    TenantContext tenant,
    RegionalRules rules,
    IFileStore files,
    UserManager<User> users,
    AuditLog audit,
    Mailer mailer,
    IStringLocalizer<OnboardingResource> strings,
    IOptions<PublicUrlOptions> publicUrl,
    TimeProvider clock)
{
    public const long MaxDocumentBytes = 10 * 1024 * 1024;

    public async Task<Result<Workspace>> OpenAsync(Guid userId, OpenRequest request, CancellationToken cancellationToken)
    {
        var errors = new List<Failure>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            errors.Add(new Failure(OnboardingErrors.WorkspaceNameRequired, "name"));
        }
        else if (name.Length > 100)
        {
            errors.Add(new Failure(OnboardingErrors.WorkspaceNameTooLong, "name"));
        }
        if (!WorkspaceTypes.All.Contains(request.Type))
        {
            errors.Add(new Failure(OnboardingErrors.WorkspaceTypeInvalid, "type"));
        }
        var country = request.Country?.Trim().ToUpperInvariant();
        if (!Countries.IsKnown(country))
        {
            errors.Add(new Failure(OnboardingErrors.CountryInvalid, "country"));
        }
        if (!Countries.IsTimeZone(request.TimeZone))
        {
            errors.Add(new Failure(OnboardingErrors.TimeZoneInvalid, "timeZone"));
        }
        if (!SupportedLanguages.IsSupported(request.Language))
        {
            errors.Add(new Failure(OnboardingErrors.LanguageInvalid, "language"));
        }
        if (errors.Count > 0)
        {
            return Result<Workspace>.Failed(errors);
        }
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException("The signed-in user no longer exists.");
        var rule = await rules.ForAsync(country!, cancellationToken);
        if (rule.PhoneVerificationRequired && !user.PhoneNumberConfirmed)
        {
            return new Failure(OnboardingErrors.PhoneVerificationRequired, "phone");
        }
        var now = clock.GetUtcNow();
        var workspace = new Workspace
        {
            Name = name,
            Type = request.Type!,
            Country = country!,
            TimeZone = request.TimeZone!,
            DefaultLanguage = request.Language!,
            CreatedBy = userId,
            CreatedAt = now,
        };
        db.Add(workspace);
        db.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = userId, Role = WorkspaceRoles.Administrator, JoinedAt = now });
        audit.Record("workspace.opened", $"workspaces/{workspace.Id}", null, new { workspace.Name, workspace.Type, workspace.Country }, actorId: userId.ToString(), workspaceId: workspace.Id);
        await db.SaveChangesAsync(cancellationToken);
        return workspace;
    }

    /// <summary>ONB-6: every workspace the user belongs to, with their role, oldest first.</summary>
    public Task<IReadOnlyList<WorkspaceSummary>> MineAsync(Guid userId, CancellationToken cancellationToken) =>
        MineAsync(db, userId, cancellationToken);

    /// <summary>The same, in a context of the caller's (the top bar renders beside pages that use the scoped one).</summary>
    public static async Task<IReadOnlyList<WorkspaceSummary>> MineAsync(LayanDbContext db, Guid userId, CancellationToken cancellationToken) =>
        await (from m in db.Set<WorkspaceMember>()
               join w in db.Set<Workspace>() on m.WorkspaceId equals w.Id
               where m.UserId == userId && m.Active
               orderby w.CreatedAt
               select new WorkspaceSummary(w.Id, w.Name, w.Type, w.Country, w.Status, m.Role)).ToListAsync(cancellationToken);

    /// <summary>
    /// The workspace, when <paramref name="userId"/> is one of its active Administrators (this scope
    /// then acts in it); null otherwise, which callers answer as "not found".
    /// </summary>
    public async Task<(Workspace Workspace, string Role)?> AccessAsync(Guid userId, Guid workspaceId, CancellationToken cancellationToken)
    {
        var found = await (from m in db.Set<WorkspaceMember>()
                           join w in db.Set<Workspace>() on m.WorkspaceId equals w.Id
                           where m.UserId == userId && m.WorkspaceId == workspaceId && m.Active
                           select new { Workspace = w, m.Role }).SingleOrDefaultAsync(cancellationToken);
        // ONB-2: the application and its documents are the Administrators' (the applicant's), not the team's.
        if (found is null || found.Role != WorkspaceRoles.Administrator)
        {
            return null;
        }
        tenant.Enter(workspaceId);
        return (found.Workspace, found.Role);
    }

    public async Task<ApplicationView?> ViewAsync(Guid userId, Guid workspaceId, CancellationToken cancellationToken)
    {
        if (await AccessAsync(userId, workspaceId, cancellationToken) is not { } access)
        {
            return null;
        }
        return await ViewOfAsync(access.Workspace, cancellationToken);
    }

    /// <summary>The application of <paramref name="workspace"/> (the caller checked access or is a reviewer inside a bypass).</summary>
    public async Task<ApplicationView> ViewOfAsync(Workspace workspace, CancellationToken cancellationToken) =>
        await ViewOfAsync(workspace, await rules.ForAsync(workspace.Country, cancellationToken), cancellationToken);

    private async Task<ApplicationView> ViewOfAsync(Workspace workspace, RegionalRule rule, CancellationToken cancellationToken)
    {
        var current = await CurrentDocumentsAsync(workspace.Id, cancellationToken);
        var documents = rule.DocumentsFor(workspace.Type)
            .Select(kind =>
            {
                var doc = current.SingleOrDefault(d => d.Kind == kind);
                return new RequiredDocument(kind, doc, MayUpload(workspace, doc?.Verdict));
            })
            .ToList();
        var complete = documents.All(d => d.Current is { } doc && !DocumentVerdicts.AsksForUpload(doc.Verdict));
        return new ApplicationView(
            workspace.Id, workspace.Name, workspace.Type, workspace.Country, workspace.TimeZone, workspace.DefaultLanguage, workspace.Status,
            workspace.DecisionReason, documents, CanSubmit: WorkspaceStatus.AcceptsDocuments(workspace.Status) && complete);
    }

    public async Task<IReadOnlyList<DocumentItem>> CurrentDocumentsAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        await db.Set<WorkspaceDocument>()
            .Where(d => d.WorkspaceId == workspaceId && d.Current)
            .OrderBy(d => d.UploadedAt)
            .Select(d => DocumentItem.Of(d))
            .ToListAsync(cancellationToken);

    /// <summary>
    /// ONB-2: stores one document. Checked in this order, each with its own code: membership (else
    /// not found), a kind the rules ask for, an application open to uploads (after a review only the
    /// kinds asked for), a file at all, its size, and its bytes.
    /// </summary>
    public async Task<Result<DocumentItem>?> UploadAsync(Guid userId, Guid workspaceId, string? kind, IFormFile? upload, CancellationToken cancellationToken)
    {
        if (await AccessAsync(userId, workspaceId, cancellationToken) is not { } access)
        {
            return null;
        }
        var workspace = access.Workspace;
        if (!DocumentKinds.All.Contains(kind))
        {
            return new Failure(OnboardingErrors.DocumentKindInvalid, "kind");
        }
        var required = (await rules.ForAsync(workspace.Country, cancellationToken)).DocumentsFor(workspace.Type);
        if (!required.Contains(kind))
        {
            return new Failure(OnboardingErrors.DocumentNotRequired, "kind");
        }
        var previous = await db.Set<WorkspaceDocument>().SingleOrDefaultAsync(d => d.WorkspaceId == workspaceId && d.Kind == kind && d.Current, cancellationToken);
        if (!MayUpload(workspace, previous?.Verdict))
        {
            return new Failure(OnboardingErrors.ApplicationLocked, "kind");
        }
        if (upload is null || upload.Length == 0)
        {
            return new Failure(OnboardingErrors.FileMissing, "file");
        }
        if (upload.Length > MaxDocumentBytes)
        {
            return new Failure(OnboardingErrors.FileTooLarge, "file");
        }
        await using var content = await FileType.ReadAsync(upload, cancellationToken);
        var type = FileType.Detect(content.GetBuffer().AsSpan(0, (int)content.Length), FileType.Pdf, FileType.Jpeg, FileType.Png);
        if (type is null)
        {
            return new Failure(OnboardingErrors.FileTypeNotAllowed, "file");
        }
        var document = new WorkspaceDocument
        {
            WorkspaceId = workspaceId,
            Kind = kind!,
            FileName = SafeFileName(upload.FileName, type),
            ContentType = type.ContentType,
            Size = content.Length,
            StorageKey = $"documents/{workspaceId:N}/{Guid.CreateVersion7():N}.{type.Extension}",
            UploadedAt = clock.GetUtcNow(),
            UploadedBy = userId,
        };
        await files.SaveAsync(document.StorageKey, content, cancellationToken);
        if (previous is not null)
        {
            previous.Current = false;
        }
        db.Add(document);
        try
        {
            // One transaction: the old one stops being current as the new one starts; a unique
            // index on the current document of a kind refuses a second upload racing this one.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            files.Delete(document.StorageKey);
            return new Failure(OnboardingErrors.ApplicationLocked, "kind");
        }
        return DocumentItem.Of(document);
    }

    /// <summary>A document of a workspace the user belongs to, or null (not a member, no such document).</summary>
    public async Task<StoredFile?> OpenDocumentAsync(Guid userId, Guid workspaceId, Guid documentId, CancellationToken cancellationToken) =>
        await AccessAsync(userId, workspaceId, cancellationToken) is null ? null : await OpenStoredAsync(workspaceId, documentId, cancellationToken);

    /// <summary>The stored file of a document (the caller decided who may read it).</summary>
    public async Task<StoredFile?> OpenStoredAsync(Guid workspaceId, Guid documentId, CancellationToken cancellationToken)
    {
        var document = await db.Set<WorkspaceDocument>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == documentId && d.WorkspaceId == workspaceId, cancellationToken);
        return document is not null && files.OpenRead(document.StorageKey) is { } content
            ? new StoredFile(content, document.ContentType, document.FileName)
            : null;
    }

    /// <summary>ONB-3: sends the application (again) for review once every required document is in.</summary>
    public async Task<Result<ApplicationView>?> SubmitAsync(Guid userId, Guid workspaceId, CancellationToken cancellationToken)
    {
        if (await AccessAsync(userId, workspaceId, cancellationToken) is not { } access)
        {
            return null;
        }
        var workspace = access.Workspace;
        if (!WorkspaceStatus.AcceptsDocuments(workspace.Status))
        {
            return new Failure(OnboardingErrors.ApplicationLocked);
        }
        var rule = await rules.ForAsync(workspace.Country, cancellationToken);
        var view = await ViewOfAsync(workspace, rule, cancellationToken);
        if (!view.CanSubmit)
        {
            return new Failure(OnboardingErrors.DocumentsMissing);
        }
        // ACC-10 again: the number may have changed, or the rule been added, since opening.
        if (rule.PhoneVerificationRequired &&
            !await db.Set<User>().AnyAsync(u => u.Id == userId && u.PhoneNumberConfirmed, cancellationToken))
        {
            return new Failure(OnboardingErrors.PhoneVerificationRequired, "phone");
        }
        var before = workspace.Status;
        workspace.Status = WorkspaceStatus.Submitted;
        workspace.SubmittedAt = clock.GetUtcNow();
        workspace.ClaimedBy = null;
        workspace.ClaimExpiresAt = null;
        audit.Record("workspace.submitted", $"workspaces/{workspace.Id}", new { status = before }, new { status = workspace.Status }, actorId: userId.ToString());
        await NotifyApplicantAsync(workspace, "ApplicationSubmitted", new Dictionary<string, string> { [Mailer.ActionUrl] = publicUrl.Value.Link($"/workspaces/{workspace.Id}/application") }, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new Failure(OnboardingErrors.ApplicationLocked); // submitted or decided at the same instant
        }
        // Submitted: nothing can be uploaded or sent again until a review says so.
        return view with { Status = workspace.Status, CanSubmit = false, Documents = [.. view.Documents.Select(d => d with { CanUpload = false })] };
    }

    /// <summary>Queues a localized email about the application to the person who opened it (caller saves).</summary>
    public async Task NotifyApplicantAsync(Workspace workspace, string template, Dictionary<string, string> values, CancellationToken cancellationToken)
    {
        var applicant = await db.Set<User>().AsNoTracking().SingleOrDefaultAsync(u => u.Id == workspace.CreatedBy, cancellationToken);
        if (applicant is null)
        {
            return;
        }
        values["name"] = applicant.FullName;
        values["workspace"] = workspace.Name;
        mailer.Queue(new EmailTemplate(strings, template), applicant.Email!, applicant.Language, values);
    }

    // A draft takes any required document; after a review, only those the reviewer asked for again.
    private static bool MayUpload(Workspace workspace, string? currentVerdict) => workspace.Status switch
    {
        WorkspaceStatus.Draft => true,
        WorkspaceStatus.ChangesRequested => currentVerdict is null || DocumentVerdicts.AsksForUpload(currentVerdict),
        _ => false,
    };

    // The name shown to people: no folders, no control characters, at most 100 characters, the real extension.
    private static string SafeFileName(string? uploaded, FileType type)
    {
        var name = Path.GetFileNameWithoutExtension(Path.GetFileName((uploaded ?? "").Replace('\\', '/')));
        name = new string([.. name.Where(c => !char.IsControl(c) && c is not ('"' or '/' or ':' or '<' or '>' or '|' or '?' or '*'))]).Trim();
        if (name.Length == 0)
        {
            name = "document";
        }
        return $"{name[..Math.Min(name.Length, 100)]}.{type.Extension}";
    }
}

/// <summary>Marker for the onboarding strings (OnboardingResource.*.resx).</summary>
internal sealed class OnboardingResource;
