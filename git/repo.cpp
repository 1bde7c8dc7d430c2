// The libgit2 edge: the only translation unit that includes <git2.h>. Every name is validated
// before libgit2 sees it, every libgit2 object is owned by RAII, and errors become evo::Error.
#include "git/repo.h"

#include <git2.h>

#include <algorithm>
#include <mutex>
#include <string_view>
#include <utility>

#include "core/validate.h"

namespace evo::git {
namespace {

// libgit2 must be initialized before any call and is kept alive for the process lifetime:
// shutting it down while another Repo is still in use would be undefined.
void ensure_libgit2() {
  static const int kInit = git_libgit2_init();
  (void)kInit;
}

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p != nullptr) Free(p);
  }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using RepoPtr = Owned<git_repository, git_repository_free>;
using ObjectPtr = Owned<git_object, git_object_free>;
using CommitPtr = Owned<git_commit, git_commit_free>;
using TreePtr = Owned<git_tree, git_tree_free>;
using TreeEntryPtr = Owned<git_tree_entry, git_tree_entry_free>;
using BlobPtr = Owned<git_blob, git_blob_free>;
using RefPtr = Owned<git_reference, git_reference_free>;
using DiffPtr = Owned<git_diff, git_diff_free>;
using PatchPtr = Owned<git_patch, git_patch_free>;

Error git_failure(int rc, std::string_view what) {
  const git_error* e = git_error_last();
  std::string message(what);
  message += ": ";
  message += (e != nullptr && e->message != nullptr) ? e->message : "unknown libgit2 error";
  return make_error(rc == GIT_ENOTFOUND ? ErrorCode::kNotFound : ErrorCode::kGit,
                    std::move(message));
}

std::string oid_hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buf, sizeof(buf), oid);
  return std::string(buf);
}

bool has_nul(const std::string& s) {
  return s.find('\0') != std::string::npos;
}

bool ref_name_valid(const std::string& full) {
  ensure_libgit2();
  int valid = 0;
  return git_reference_name_is_valid(&valid, full.c_str()) == 0 && valid == 1;
}

// Branch and tag short names share git's ref rules plus our own hardening.
Status check_short_name(const std::string& name, std::string_view ns, std::string_view kind) {
  if (has_nul(name)) {
    return make_error(ErrorCode::kInvalidArgument, std::string(kind) + " name contains NUL");
  }
  const std::string problem = branch_name_problem(name);
  if (!problem.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(kind) + " name '" + name + "' " + problem);
  }
  if (!ref_name_valid(std::string(ns) + name)) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(kind) + " name '" + name + "' is not a valid git ref name");
  }
  return {};
}

Status check_full_ref(const std::string& full_ref) {
  if (has_nul(full_ref) || full_ref.rfind("refs/", 0) != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "ref '" + full_ref + "' must be a full ref name starting with 'refs/'");
  }
  const std::string problem = branch_name_problem(std::string_view(full_ref).substr(5));
  if (!problem.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "ref '" + full_ref + "' " + problem);
  }
  if (!ref_name_valid(full_ref)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "ref '" + full_ref + "' is not a valid git ref name");
  }
  return {};
}

Status check_path(const std::string& path) {
  const std::string problem = has_nul(path) ? "must not contain NUL" : relative_path_problem(path);
  if (!problem.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "path '" + path + "' " + problem);
  }
  return {};
}

// Reflog messages are single lines; a newline would corrupt the reflog format.
std::string sanitize_log(const std::string& log) {
  std::string out = log;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

std::uint32_t mode_of(const git_diff_file& f) {
  return static_cast<std::uint32_t>(f.mode);
}

std::optional<policy::FileStatus> status_of(git_delta_t s) {
  switch (s) {
    case GIT_DELTA_ADDED:
      return policy::FileStatus::kAdded;
    case GIT_DELTA_DELETED:
      return policy::FileStatus::kDeleted;
    case GIT_DELTA_MODIFIED:
      return policy::FileStatus::kModified;
    case GIT_DELTA_RENAMED:
      return policy::FileStatus::kRenamed;
    case GIT_DELTA_COPIED:
      return policy::FileStatus::kCopied;
    case GIT_DELTA_TYPECHANGE:
      return policy::FileStatus::kTypeChange;
    default:
      return std::nullopt;  // unmodified/ignored/untracked cannot occur tree-to-tree
  }
}

std::string line_text(const git_diff_line* line) {
  std::string_view text(line->content, line->content_len);
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return std::string(text);
}

// Accumulates git_diff_print output up to a byte budget, cutting at a line boundary.
struct DiffPrinter {
  std::string text;
  std::size_t max_bytes = 0;
  bool truncated = false;

  static int callback(const git_diff_delta* /*delta*/, const git_diff_hunk* /*hunk*/,
                      const git_diff_line* line, void* payload) {
    auto* self = static_cast<DiffPrinter*>(payload);
    std::string chunk;
    const char origin = line->origin;
    if (origin == GIT_DIFF_LINE_CONTEXT || origin == GIT_DIFF_LINE_ADDITION ||
        origin == GIT_DIFF_LINE_DELETION) {
      chunk.push_back(origin);
    }
    chunk.append(line->content, line->content_len);
    if (self->text.size() + chunk.size() <= self->max_bytes) {
      self->text += chunk;
      return 0;
    }
    const std::size_t room = self->max_bytes - self->text.size();
    self->text.append(chunk, 0, room);
    const auto last_newline = self->text.rfind('\n');
    self->text.resize(last_newline == std::string::npos ? 0 : last_newline + 1);
    self->truncated = true;
    return 1;  // stop: nothing more fits
  }
};

}  // namespace

bool is_valid_branch_ref(const std::string& branch) {
  return check_short_name(branch, "refs/heads/", "branch").ok();
}

struct Repo::Impl {
  RepoPtr repo;
  // A git_repository must not be used from two threads at once; Repo's methods are const so
  // the server may share one Repo, hence the lock lives here.
  mutable std::mutex mu;

  Result<CommitPtr> lookup_commit(const git_oid& oid) const {
    git_commit* raw = nullptr;
    const int rc = git_commit_lookup(&raw, repo.get(), &oid);
    if (rc != 0) return git_failure(rc, "commit " + oid_hex(&oid));
    return CommitPtr(raw);
  }

  // Peels whatever a ref points to (commit, annotated tag) down to a commit id.
  Result<git_oid> ref_target(const std::string& full_ref) const {
    git_reference* raw = nullptr;
    int rc = git_reference_lookup(&raw, repo.get(), full_ref.c_str());
    if (rc != 0) return git_failure(rc, "ref '" + full_ref + "'");
    RefPtr ref(raw);
    git_object* obj_raw = nullptr;
    rc = git_reference_peel(&obj_raw, ref.get(), GIT_OBJECT_COMMIT);
    if (rc != 0) return git_failure(rc, "ref '" + full_ref + "' does not point to a commit");
    ObjectPtr obj(obj_raw);
    return *git_object_id(obj.get());
  }

  Result<git_oid> hex_target(const std::string& hex) const {
    git_oid oid;
    int rc = git_oid_fromstrn(&oid, hex.data(), hex.size());
    if (rc != 0) return git_failure(rc, "object id '" + hex + "'");
    git_object* raw = nullptr;
    rc = git_object_lookup_prefix(&raw, repo.get(), &oid, hex.size(), GIT_OBJECT_ANY);
    if (rc == GIT_EAMBIGUOUS) {
      return make_error(ErrorCode::kInvalidArgument, "object id '" + hex + "' is ambiguous");
    }
    if (rc != 0) return git_failure(rc, "object '" + hex + "'");
    ObjectPtr obj(raw);
    git_object* peeled_raw = nullptr;
    rc = git_object_peel(&peeled_raw, obj.get(), GIT_OBJECT_COMMIT);
    if (rc != 0) return git_failure(rc, "object '" + hex + "' is not a commit");
    ObjectPtr peeled(peeled_raw);
    return *git_object_id(peeled.get());
  }

  Result<git_oid> resolve(const std::string& rev) const {
    if (has_nul(rev)) return make_error(ErrorCode::kInvalidArgument, "revision contains NUL");
    // Full-length ids are always object ids; an abbreviation falls back to a ref name
    // (a branch may well be called "deadbeef").
    if (is_hex_object_id(rev)) {
      if (rev.size() > GIT_OID_HEXSZ) {
        return make_error(ErrorCode::kInvalidArgument,
                          "'" + rev + "' is longer than a SHA-1 object id");
      }
      auto oid = hex_target(rev);
      if (oid.ok() || oid.error().code != ErrorCode::kNotFound || rev.size() == GIT_OID_HEXSZ) {
        return oid;
      }
    }
    EVO_TRY(check_short_name(rev, "refs/heads/", "revision"));
    for (const char* ns : {"refs/heads/", "refs/tags/"}) {
      auto oid = ref_target(ns + rev);
      if (oid.ok() || oid.error().code != ErrorCode::kNotFound) return oid;
    }
    return make_error(ErrorCode::kNotFound,
                      "'" + rev + "' is not a commit id, branch or tag in the repository");
  }

  Result<TreePtr> tree_at(const git_oid& commit_oid) const {
    EVO_ASSIGN_OR_RETURN(auto commit, lookup_commit(commit_oid));
    git_tree* raw = nullptr;
    const int rc = git_commit_tree(&raw, commit.get());
    if (rc != 0) return git_failure(rc, "tree of commit " + oid_hex(&commit_oid));
    return TreePtr(raw);
  }

  Result<policy::FileChange> file_change(git_diff* diff, std::size_t index) const {
    git_patch* raw = nullptr;
    const int rc = git_patch_from_diff(&raw, diff, index);
    if (rc != 0) return git_failure(rc, "patch");
    PatchPtr patch(raw);
    // The patch's delta carries the binary flag, which is only known once content was loaded.
    const git_diff_delta* delta =
        patch ? git_patch_get_delta(patch.get()) : git_diff_get_delta(diff, index);
    policy::FileChange fc;
    const auto status = status_of(delta->status);
    fc.status = status.value_or(policy::FileStatus::kModified);
    fc.old_path = delta->old_file.path != nullptr ? delta->old_file.path : "";
    fc.new_path = delta->new_file.path != nullptr ? delta->new_file.path : "";
    if (fc.old_path.empty()) fc.old_path = fc.new_path;
    if (fc.new_path.empty()) fc.new_path = fc.old_path;
    fc.old_mode = mode_of(delta->old_file);
    fc.new_mode = mode_of(delta->new_file);
    fc.binary = (delta->flags & GIT_DIFF_FLAG_BINARY) != 0;
    if (!patch) return fc;  // unchanged content (e.g. a pure mode change) has no patch

    std::size_t context = 0;
    std::size_t additions = 0;
    std::size_t deletions = 0;
    if (const int st = git_patch_line_stats(&context, &additions, &deletions, patch.get());
        st != 0) {
      return git_failure(st, "line stats for '" + fc.new_path + "'");
    }
    fc.lines_added = static_cast<int>(additions);
    fc.lines_removed = static_cast<int>(deletions);
    const std::size_t hunks = git_patch_num_hunks(patch.get());
    for (std::size_t h = 0; h < hunks; ++h) {
      const int n = git_patch_num_lines_in_hunk(patch.get(), h);
      if (n < 0) return git_failure(n, "hunk of '" + fc.new_path + "'");
      for (std::size_t l = 0; l < static_cast<std::size_t>(n); ++l) {
        const git_diff_line* line = nullptr;
        const int lr = git_patch_get_line_in_hunk(&line, patch.get(), h, l);
        if (lr != 0) return git_failure(lr, "line of '" + fc.new_path + "'");
        std::vector<std::string>* dest = nullptr;
        if (line->origin == GIT_DIFF_LINE_ADDITION) dest = &fc.added_lines;
        if (line->origin == GIT_DIFF_LINE_DELETION) dest = &fc.removed_lines;
        if (dest == nullptr) continue;
        if (dest->size() >= policy::kMaxLinesPerFile) {
          fc.lines_truncated = true;
          continue;
        }
        dest->push_back(line_text(line));
      }
    }
    return fc;
  }
};

Repo::Repo(std::unique_ptr<Impl> impl, std::string path)
    : impl_(std::move(impl)), path_(std::move(path)) {}
Repo::Repo(Repo&&) noexcept = default;
Repo& Repo::operator=(Repo&&) noexcept = default;
Repo::~Repo() = default;

Result<Repo> Repo::open(const std::string& path) {
  ensure_libgit2();
  if (path.empty() || has_nul(path)) {
    return make_error(ErrorCode::kInvalidArgument, "repository path must be a non-empty string");
  }
  git_repository* raw = nullptr;
  const int rc =
      git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  if (rc != 0) return git_failure(rc, "open repository '" + path + "'");
  auto impl = std::make_unique<Impl>();
  impl->repo.reset(raw);
  return Repo(std::move(impl), path);
}

Result<std::string> Repo::head_commit() const {
  std::lock_guard lock(impl_->mu);
  git_reference* raw = nullptr;
  int rc = git_repository_head(&raw, impl_->repo.get());
  if (rc == GIT_EUNBORNBRANCH) {
    return make_error(ErrorCode::kNotFound, "HEAD of " + path_ + " has no commit yet");
  }
  if (rc != 0) return git_failure(rc, "HEAD of " + path_);
  RefPtr ref(raw);
  git_object* obj_raw = nullptr;
  rc = git_reference_peel(&obj_raw, ref.get(), GIT_OBJECT_COMMIT);
  if (rc != 0) return git_failure(rc, "HEAD does not point to a commit");
  ObjectPtr obj(obj_raw);
  return oid_hex(git_object_id(obj.get()));
}

Result<std::string> Repo::branch_commit(const std::string& branch) const {
  EVO_TRY(check_short_name(branch, "refs/heads/", "branch"));
  std::lock_guard lock(impl_->mu);
  EVO_ASSIGN_OR_RETURN(auto oid, impl_->ref_target("refs/heads/" + branch));
  return oid_hex(&oid);
}

Result<std::string> Repo::resolve_commit(const std::string& rev) const {
  std::lock_guard lock(impl_->mu);
  EVO_ASSIGN_OR_RETURN(auto oid, impl_->resolve(rev));
  return oid_hex(&oid);
}

Result<bool> Repo::is_ancestor(const std::string& ancestor, const std::string& descendant) const {
  std::lock_guard lock(impl_->mu);
  EVO_ASSIGN_OR_RETURN(auto a, impl_->resolve(ancestor));
  EVO_ASSIGN_OR_RETURN(auto d, impl_->resolve(descendant));
  if (git_oid_equal(&a, &d) != 0) return true;
  const int rc = git_graph_descendant_of(impl_->repo.get(), &d, &a);
  if (rc < 0) return git_failure(rc, "ancestry of " + ancestor + " and " + descendant);
  return rc == 1;
}

Result<policy::DiffFacts> Repo::diff(const std::string& parent_commit, const std::string& commit,
                                     std::size_t max_diff_bytes) const {
  std::lock_guard lock(impl_->mu);
  EVO_ASSIGN_OR_RETURN(auto parent_oid, impl_->resolve(parent_commit));
  EVO_ASSIGN_OR_RETURN(auto commit_oid, impl_->resolve(commit));
  EVO_ASSIGN_OR_RETURN(auto old_tree, impl_->tree_at(parent_oid));
  EVO_ASSIGN_OR_RETURN(auto new_tree, impl_->tree_at(commit_oid));

  git_diff_options opts;
  int rc = git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  if (rc != 0) return git_failure(rc, "diff options");
  // Type changes (file -> symlink) must surface as such, not as a delete plus an add that
  // rename detection might pair up again; submodules are compared by their gitlink ids.
  opts.flags |= static_cast<std::uint32_t>(GIT_DIFF_INCLUDE_TYPECHANGE);
  opts.ignore_submodules = GIT_SUBMODULE_IGNORE_NONE;
  git_diff* diff_raw = nullptr;
  rc = git_diff_tree_to_tree(&diff_raw, impl_->repo.get(), old_tree.get(), new_tree.get(), &opts);
  if (rc != 0) return git_failure(rc, "diff");
  DiffPtr diff(diff_raw);

  git_diff_find_options find_opts;
  rc = git_diff_find_options_init(&find_opts, GIT_DIFF_FIND_OPTIONS_VERSION);
  if (rc != 0) return git_failure(rc, "rename options");
  find_opts.flags = static_cast<std::uint32_t>(GIT_DIFF_FIND_RENAMES) |
                    static_cast<std::uint32_t>(GIT_DIFF_FIND_COPIES);
  rc = git_diff_find_similar(diff.get(), &find_opts);
  if (rc != 0) return git_failure(rc, "rename detection");

  policy::DiffFacts facts;
  facts.parent_commit = oid_hex(&parent_oid);
  facts.commit = oid_hex(&commit_oid);
  const std::size_t n = git_diff_num_deltas(diff.get());
  for (std::size_t i = 0; i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta == nullptr || !status_of(delta->status).has_value()) continue;
    EVO_ASSIGN_OR_RETURN(auto fc, impl_->file_change(diff.get(), i));
    facts.files.push_back(std::move(fc));
  }
  std::sort(facts.files.begin(), facts.files.end(),
            [](const policy::FileChange& a, const policy::FileChange& b) {
              return std::tie(a.new_path, a.old_path) < std::tie(b.new_path, b.old_path);
            });

  DiffPrinter printer;
  printer.max_bytes = max_diff_bytes;
  rc = git_diff_print(diff.get(), GIT_DIFF_FORMAT_PATCH, &DiffPrinter::callback, &printer);
  if (rc != 0 && !printer.truncated) return git_failure(rc, "diff text");
  facts.diff_text = std::move(printer.text);
  facts.diff_truncated = printer.truncated;
  return facts;
}

Result<std::string> Repo::code_hash(const std::string& commit,
                                    std::vector<std::string> paths) const {
  for (const std::string& p : paths) EVO_TRY(check_path(p));
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());

  std::lock_guard lock(impl_->mu);
  EVO_ASSIGN_OR_RETURN(auto oid, impl_->resolve(commit));
  EVO_ASSIGN_OR_RETURN(auto tree, impl_->tree_at(oid));
  std::string buffer;
  for (const std::string& p : paths) {
    buffer += p;
    buffer.push_back('\0');
    git_tree_entry* raw = nullptr;
    const int rc = git_tree_entry_bypath(&raw, tree.get(), p.c_str());
    if (rc == GIT_ENOTFOUND) {
      buffer += "-";
    } else if (rc != 0) {
      return git_failure(rc, "entry '" + p + "'");
    } else {
      TreeEntryPtr entry(raw);
      buffer += oid_hex(git_tree_entry_id(entry.get()));
    }
    buffer.push_back('\n');
  }
  git_oid hash;
  const int rc = git_odb_hash(&hash, buffer.data(), buffer.size(), GIT_OBJECT_BLOB);
  if (rc != 0) return git_failure(rc, "hash");
  return oid_hex(&hash);
}

Result<std::string> Repo::read_blob(const std::string& commit, const std::string& path) const {
  EVO_TRY(check_path(path));
  std::lock_guard lock(impl_->mu);
  EVO_ASSIGN_OR_RETURN(auto oid, impl_->resolve(commit));
  EVO_ASSIGN_OR_RETURN(auto tree, impl_->tree_at(oid));
  git_tree_entry* entry_raw = nullptr;
  int rc = git_tree_entry_bypath(&entry_raw, tree.get(), path.c_str());
  if (rc != 0) return git_failure(rc, "'" + path + "' at " + oid_hex(&oid));
  TreeEntryPtr entry(entry_raw);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
    return make_error(ErrorCode::kNotFound, "'" + path + "' is not a file at " + oid_hex(&oid));
  }
  git_blob* blob_raw = nullptr;
  rc = git_blob_lookup(&blob_raw, impl_->repo.get(), git_tree_entry_id(entry.get()));
  if (rc != 0) return git_failure(rc, "blob '" + path + "'");
  BlobPtr blob(blob_raw);
  const auto* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  return std::string(data, static_cast<std::size_t>(git_blob_rawsize(blob.get())));
}

Status Repo::set_tag(const std::string& name, const std::string& commit) {
  EVO_TRY(check_short_name(name, "refs/tags/", "tag"));
  return set_ref("refs/tags/" + name, commit, "evo: tag " + name);
}

Status Repo::set_ref(const std::string& full_ref, const std::string& commit,
                     const std::string& log) {
  EVO_TRY(check_full_ref(full_ref));
  std::lock_guard lock(impl_->mu);
  EVO_ASSIGN_OR_RETURN(auto oid, impl_->resolve(commit));
  git_reference* raw = nullptr;
  const std::string message = sanitize_log(log);
  const int rc =
      git_reference_create(&raw, impl_->repo.get(), full_ref.c_str(), &oid, 1, message.c_str());
  if (rc != 0) return git_failure(rc, "set ref '" + full_ref + "'");
  RefPtr ref(raw);
  return {};
}

Status Repo::delete_branch(const std::string& branch) {
  EVO_TRY(check_short_name(branch, "refs/heads/", "branch"));
  std::lock_guard lock(impl_->mu);
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, impl_->repo.get(), ("refs/heads/" + branch).c_str());
  if (rc == GIT_ENOTFOUND) return {};
  if (rc != 0) return git_failure(rc, "branch '" + branch + "'");
  RefPtr ref(raw);
  // A checked-out branch must never vanish under a work tree. git_reference_delete rather than
  // git_branch_delete: the latter leaks ~20 KB per call in libgit2 1.5 (its config-section
  // cleanup, libgit2 PR #6382), and our branches carry no config to clean up.
  rc = git_branch_is_checked_out(ref.get());
  if (rc < 0) return git_failure(rc, "branch '" + branch + "'");
  if (rc == 1) {
    return make_error(ErrorCode::kGit,
                      "branch '" + branch + "' is checked out in a work tree; not deleting it");
  }
  rc = git_reference_delete(ref.get());
  if (rc != 0) return git_failure(rc, "delete branch '" + branch + "'");
  return {};
}

Result<std::string> Repo::ref_commit(const std::string& full_ref) const {
  EVO_TRY(check_full_ref(full_ref));
  std::lock_guard lock(impl_->mu);
  EVO_ASSIGN_OR_RETURN(auto oid, impl_->ref_target(full_ref));
  return oid_hex(&oid);
}

Result<bool> Repo::tracks(const std::string& path) const {
  std::lock_guard lock(impl_->mu);
  git_index* raw = nullptr;
  if (const int rc = git_repository_index(&raw, impl_->repo.get()); rc != 0) {
    return git_failure(rc, "read the index of '" + path_ + "'");
  }
  std::unique_ptr<git_index, void (*)(git_index*)> index(raw, git_index_free);
  if (git_index_get_bypath(index.get(), path.c_str(), 0) != nullptr) return true;
  std::size_t pos = 0;
  return git_index_find_prefix(&pos, index.get(), (path + "/").c_str()) == 0;
}

}  // namespace evo::git
