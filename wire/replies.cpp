// Field tables of the replies, queries and errors. See wire/replies.h.
#include "wire/replies.h"

namespace evo::wire {

using namespace evo::state;  // NOLINT(google-build-using-namespace): the types described here

Error wire_error(const std::string& path, const std::string& problem) {
  ErrorDetails details;
  details.field = path;
  return make_error(ErrorCode::kInvalidArgument, path + ": " + problem, std::move(details));
}

// --- scalars ---------------------------------------------------------------------------------

Status Codec<std::string>::read(const json& j, const std::string& path, std::string& out) {
  if (!j.is_string()) return wire_error(path, "must be a string");
  out = j.get<std::string>();
  return {};
}
Status Codec<bool>::read(const json& j, const std::string& path, bool& out) {
  if (!j.is_boolean()) return wire_error(path, "must be a boolean");
  out = j.get<bool>();
  return {};
}
Status Codec<int>::read(const json& j, const std::string& path, int& out) {
  if (!j.is_number_integer()) return wire_error(path, "must be an integer");
  const auto v = j.get<std::int64_t>();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    return wire_error(path, "is out of range");
  }
  out = static_cast<int>(v);
  return {};
}
Status Codec<std::int64_t>::read(const json& j, const std::string& path, std::int64_t& out) {
  if (!j.is_number_integer()) return wire_error(path, "must be an integer");
  if (j.is_number_unsigned() && j.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max()) {
    return wire_error(path, "is out of range");
  }
  out = j.get<std::int64_t>();
  return {};
}
Status Codec<std::uint64_t>::read(const json& j, const std::string& path, std::uint64_t& out) {
  if (!j.is_number_unsigned()) return wire_error(path, "must be a non-negative integer");
  out = j.get<std::uint64_t>();
  return {};
}
Status Codec<double>::read(const json& j, const std::string& path, double& out) {
  if (!j.is_number()) return wire_error(path, "must be a number");
  out = j.get<double>();
  return {};
}

json Codec<Score>::write(const Score& v) {
  if (v.values.empty()) return nullptr;
  if (v.scalar && v.values.size() == 1) return v.values[0];
  return v.values;
}
Status Codec<Score>::read(const json& j, const std::string& path, Score& out) {
  out = Score{};
  if (j.is_null()) return {};
  if (j.is_number()) {
    out.values = {j.get<double>()};
    out.scalar = true;
    return {};
  }
  if (!j.is_array()) return wire_error(path, "must be a number, an array of numbers or null");
  return Codec<std::vector<double>>::read(j, path, out.values);
}
json Codec<Score>::schema() {
  return {{"anyOf",
           {{{"type", "number"}},
            {{"type", "array"}, {"items", {{"type", "number"}}}},
            {{"type", "null"}}}}};
}

// --- shared parts ----------------------------------------------------------------------------

const Shape<ObjectiveSpec>& ShapeOf<ObjectiveSpec>::get() {
  static const Shape<ObjectiveSpec> kShape = [] {
    Shape<ObjectiveSpec> s;
    s.field("name", &ObjectiveSpec::name);
    s.field("direction", &ObjectiveSpec::direction);
    return s;
  }();
  return kShape;
}

const Shape<policy::Finding>& ShapeOf<policy::Finding>::get() {
  static const Shape<policy::Finding> kShape = [] {
    Shape<policy::Finding> s;
    s.field("rule", &policy::Finding::rule, "stable rule name (protected_path, out_of_scope, ...)");
    s.field("path", &policy::Finding::path, "the file concerned; empty for change-wide findings");
    s.field("detail", &policy::Finding::detail);
    return s;
  }();
  return kShape;
}

const Shape<WorkItem>& ShapeOf<WorkItem>::get() {
  static const Shape<WorkItem> kShape = [] {
    Shape<WorkItem> s;
    s.field("branch", &WorkItem::branch);
    s.field("operation", &WorkItem::operation);
    s.field("target_id", &WorkItem::target_id);
    s.field("parent_branches", &WorkItem::parent_branches);
    s.field("target_file", &WorkItem::target_file);
    s.field("target_function", &WorkItem::target_function);
    s.omittable("structural_op", &WorkItem::structural_op);
    return s;
  }();
  return kShape;
}

namespace {
template <typename T>
void best_fields(Shape<T>& s) {
  s.field("best_branch", &BestSoFar::best_branch, "seed-baseline until a variant beats the seed");
  s.field("best_obj", &BestSoFar::best_obj);
  s.field("best_obj_values", &BestSoFar::best_obj_values);
}
}  // namespace

// --- command replies -------------------------------------------------------------------------

const Shape<Initialized>& ShapeOf<Initialized>::get() {
  static const Shape<Initialized> kShape = [] {
    Shape<Initialized> s;
    s.constant("status", "initialized");
    s.field("run_id", &Initialized::run_id);
    s.field("repo_path", &Initialized::repo_path);
    s.field("objectives", &Initialized::objectives);
    s.field("benchmark_format", &Initialized::benchmark_format);
    s.field("max_fe", &Initialized::max_fe);
    s.field("pop_size", &Initialized::pop_size);
    s.field("seed", &Initialized::seed);
    s.field("seed_commit", &Initialized::seed_commit, "empty when the run does not use git");
    s.field("protected_patterns", &Initialized::protected_patterns);
    return s;
  }();
  return kShape;
}

const Shape<TargetsAccepted>& ShapeOf<TargetsAccepted>::get() {
  static const Shape<TargetsAccepted> kShape = [] {
    Shape<TargetsAccepted> s;
    s.field("registered", &TargetsAccepted::registered);
    s.field("target_ids", &TargetsAccepted::target_ids);
    s.field("total_targets", &TargetsAccepted::total_targets);
    return s;
  }();
  return kShape;
}

const Shape<SeedRecorded>& ShapeOf<SeedRecorded>::get() {
  static const Shape<SeedRecorded> kShape = [] {
    Shape<SeedRecorded> s;
    s.field("seed_obj", &SeedRecorded::seed_obj);
    s.field("seed_obj_values", &SeedRecorded::seed_obj_values);
    s.field("objectives", &SeedRecorded::objectives);
    s.field("total_evals", &SeedRecorded::total_evals);
    return s;
  }();
  return kShape;
}

const Shape<DispatchWorkers>& ShapeOf<DispatchWorkers>::get() {
  static const Shape<DispatchWorkers> kShape = [] {
    Shape<DispatchWorkers> s;
    s.constant("action", "dispatch_workers");
    s.field("run_id", &DispatchWorkers::run_id);
    s.field("generation", &DispatchWorkers::generation);
    s.field("batch_size", &DispatchWorkers::batch_size);
    s.field("budget_remaining", &DispatchWorkers::budget_remaining);
    s.field("objectives", &DispatchWorkers::objectives);
    s.field("benchmark_cmd", &DispatchWorkers::benchmark_cmd);
    s.field("benchmark_format", &DispatchWorkers::benchmark_format);
    s.field("items", &DispatchWorkers::items);
    return s;
  }();
  return kShape;
}

const Shape<CheckPolicy>& ShapeOf<CheckPolicy>::get() {
  static const Shape<CheckPolicy> kShape = [] {
    Shape<CheckPolicy> s;
    s.constant("action", "check_policy");
    s.field("branch", &CheckPolicy::branch);
    s.field("commit", &CheckPolicy::commit);
    s.field("parent_commit", &CheckPolicy::parent_commit);
    s.field("target_id", &CheckPolicy::target_id);
    s.field("target_file", &CheckPolicy::target_file);
    s.field("target_function", &CheckPolicy::target_function);
    s.field("operation", &CheckPolicy::operation);
    s.field("parent_branches", &CheckPolicy::parent_branches);
    s.field("changed_files", &CheckPolicy::changed_files);
    s.field("diff", &CheckPolicy::diff);
    s.field("diff_truncated", &CheckPolicy::diff_truncated);
    s.field("protected_patterns", &CheckPolicy::protected_patterns);
    s.field("violations", &CheckPolicy::violations, "hard rules broken: the change is refused");
    s.field("flags", &CheckPolicy::flags, "soft findings for the reviewer");
    s.field("code_hash", &CheckPolicy::code_hash);
    s.field("policy_mode", &CheckPolicy::policy_mode);
    return s;
  }();
  return kShape;
}

const Shape<RunBenchmark>& ShapeOf<RunBenchmark>::get() {
  static const Shape<RunBenchmark> kShape = [] {
    Shape<RunBenchmark> s;
    s.constant("action", "run_benchmark");
    s.field("branch", &RunBenchmark::branch);
    s.field("commit", &RunBenchmark::commit);
    s.field("target_id", &RunBenchmark::target_id);
    s.field("operation", &RunBenchmark::operation);
    s.field("parent_branches", &RunBenchmark::parent_branches);
    s.field("benchmark_cmd", &RunBenchmark::benchmark_cmd);
    s.field("benchmark_format", &RunBenchmark::benchmark_format);
    s.field("objectives", &RunBenchmark::objectives);
    s.omittable("quick_cmd", &RunBenchmark::quick_cmd);
    s.omittable("auto_approved", &RunBenchmark::auto_approved);
    return s;
  }();
  return kShape;
}

namespace {
Shape<Rejected> make_rejected(bool with_action) {
  Shape<Rejected> s;
  if (with_action) s.constant("action", "worker_done");
  s.field("branch", &Rejected::branch);
  s.constant("rejected", true);
  s.field("reason", &Rejected::reason);
  s.field("commit", &Rejected::commit);
  s.field("violations", &Rejected::violations);
  return s;
}
Shape<WorkerDone> make_worker_done(bool with_action) {
  Shape<WorkerDone> s;
  if (with_action) s.constant("action", "worker_done");
  s.field("branch", &WorkerDone::branch);
  s.field("success", &WorkerDone::success);
  s.field("fitness", &WorkerDone::fitness);
  s.field("fitness_values", &WorkerDone::fitness_values);
  s.field("is_new_best", &WorkerDone::is_new_best);
  s.field("on_pareto_front", &WorkerDone::on_pareto_front);
  s.field("total_evals", &WorkerDone::total_evals);
  s.field("budget_remaining", &WorkerDone::budget_remaining);
  s.omittable("cached", &WorkerDone::cached);
  s.omittable("cache_of", &WorkerDone::cache_of);
  s.omittable("reason", &WorkerDone::reason);
  return s;
}
Shape<Reflect> make_reflect(bool with_action) {
  Shape<Reflect> s;
  if (with_action) s.constant("action", "reflect");
  s.field("run_id", &Reflect::run_id);
  s.field("generation", &Reflect::generation);
  s.field("keep", &Reflect::keep);
  s.field("eliminate", &Reflect::eliminate);
  s.field("abandoned", &Reflect::abandoned);
  s.field("pareto_front_size", &Reflect::pareto_front_size);
  s.field("improvement", &Reflect::improvement);
  best_fields(s);
  s.field("targets", &Reflect::targets);
  return s;
}
}  // namespace

const Shape<Rejected>& ShapeOf<Rejected>::get() {
  static const Shape<Rejected> kShape = make_rejected(true);
  return kShape;
}
const Shape<Rejected>& legacy_rejected_shape() {
  static const Shape<Rejected> kShape = make_rejected(false);
  return kShape;
}
const Shape<WorkerDone>& ShapeOf<WorkerDone>::get() {
  static const Shape<WorkerDone> kShape = make_worker_done(true);
  return kShape;
}
const Shape<WorkerDone>& legacy_worker_done_shape() {
  static const Shape<WorkerDone> kShape = make_worker_done(false);
  return kShape;
}

const Shape<TargetProgress>& ShapeOf<TargetProgress>::get() {
  static const Shape<TargetProgress> kShape = [] {
    Shape<TargetProgress> s;
    s.field("target_id", &TargetProgress::target_id);
    s.field("best_branch", &TargetProgress::best_branch);
    s.field("best_obj", &TargetProgress::best_obj);
    s.field("stagnation", &TargetProgress::stagnation);
    s.field("temperature", &TargetProgress::temperature);
    s.field("active_branches", &TargetProgress::active_branches);
    return s;
  }();
  return kShape;
}

const Shape<Reflect>& ShapeOf<Reflect>::get() {
  static const Shape<Reflect> kShape = make_reflect(true);
  return kShape;
}
const Shape<Reflect>& legacy_reflect_shape() {
  static const Shape<Reflect> kShape = make_reflect(false);
  return kShape;
}

const Shape<Done>& ShapeOf<Done>::get() {
  static const Shape<Done> kShape = [] {
    Shape<Done> s;
    s.constant("action", "done");
    s.field("run_id", &Done::run_id);
    s.field("reason", &Done::reason);
    s.field("reason_code", &Done::reason_code,
            "budget_exhausted, max_generations, target_reached, stagnation, wall_time, stopped, "
            "no_active_targets");
    s.field("generation", &Done::generation);
    s.field("total_evals", &Done::total_evals);
    s.field("pareto_front_size", &Done::pareto_front_size);
    s.field("improvement", &Done::improvement);
    s.field("improvement_pct", &Done::improvement_pct,
            "per objective, percent; positive is better");
    best_fields(s);
    s.field("seed_obj", &Done::seed_obj);
    return s;
  }();
  return kShape;
}

const Shape<TargetTemperature>& ShapeOf<TargetTemperature>::get() {
  static const Shape<TargetTemperature> kShape = [] {
    Shape<TargetTemperature> s;
    s.field("target_id", &TargetTemperature::target_id);
    s.field("status", &TargetTemperature::status, "frozen or active");
    s.field("temperature", &TargetTemperature::temperature);
    return s;
  }();
  return kShape;
}

const Shape<SynergyAccepted>& ShapeOf<SynergyAccepted>::get() {
  static const Shape<SynergyAccepted> kShape = [] {
    using R = SynergyAccepted;
    Shape<R> s;
    s.field("branch", &R::branch);
    s.field("generation", &R::generation);
    s.field("target_ids", &R::target_ids);
    s.field("fitness_values", &R::fitness_values);
    s.field("success", &R::success);
    s.field("individual_fitnesses", &R::individual_fitnesses);
    s.field("synergy_gain", &R::synergy_gain);
    return s;
  }();
  return kShape;
}

// --- queries ---------------------------------------------------------------------------------

const Shape<TargetStatus>& ShapeOf<TargetStatus>::get() {
  static const Shape<TargetStatus> kShape = [] {
    Shape<TargetStatus> s;
    s.field("status", &TargetStatus::status, "frozen or active");
    s.field("file", &TargetStatus::file);
    s.field("function", &TargetStatus::function);
    s.field("temperature", &TargetStatus::temperature);
    s.field("current_best_obj", &TargetStatus::current_best_obj);
    s.field("current_best_branch", &TargetStatus::current_best_branch);
    s.field("pareto_front_size", &TargetStatus::pareto_front_size);
    s.field("stagnation", &TargetStatus::stagnation);
    s.field("active_branches", &TargetStatus::active_branches);
    return s;
  }();
  return kShape;
}

const Shape<FrontMember>& ShapeOf<FrontMember>::get() {
  static const Shape<FrontMember> kShape = [] {
    Shape<FrontMember> s;
    s.field("branch", &FrontMember::branch);
    s.field("fitness", &FrontMember::fitness);
    s.field("generation", &FrontMember::generation);
    s.field("target_id", &FrontMember::target_id);
    return s;
  }();
  return kShape;
}

const Shape<InFlight>& ShapeOf<InFlight>::get() {
  static const Shape<InFlight> kShape = [] {
    Shape<InFlight> s;
    s.field("branch", &InFlight::branch);
    s.field("state", &InFlight::state);
    return s;
  }();
  return kShape;
}

const Shape<RunStatus>& ShapeOf<RunStatus>::get() {
  static const Shape<RunStatus> kShape = [] {
    Shape<RunStatus> s;
    s.field("run_id", &RunStatus::run_id);
    s.field("phase", &RunStatus::phase);
    s.field("generation", &RunStatus::generation);
    s.field("total_evals", &RunStatus::total_evals);
    s.field("budget_remaining", &RunStatus::budget_remaining);
    s.field("max_fe", &RunStatus::max_fe);
    s.field("objectives", &RunStatus::objectives);
    s.field("seed_obj", &RunStatus::seed_obj);
    s.field("best_obj_overall", &RunStatus::best_obj_overall);
    s.field("best_branch_overall", &RunStatus::best_branch_overall);
    s.field("pareto_front_size", &RunStatus::pareto_front_size);
    s.field("pareto_front", &RunStatus::pareto_front);
    s.field("improvement", &RunStatus::improvement);
    s.field("targets", &RunStatus::targets, "by target id");
    s.field("batch_size", &RunStatus::batch_size);
    s.field("in_flight", &RunStatus::in_flight);
    s.field("generations_without_improvement", &RunStatus::generations_without_improvement);
    s.field("repo_path", &RunStatus::repo_path);
    s.field("created_at_ms", &RunStatus::created_at_ms);
    s.omittable("done_reason", &RunStatus::done_reason);
    s.omittable("done_reason_code", &RunStatus::done_reason_code);
    return s;
  }();
  return kShape;
}

const Shape<LineageEntry>& ShapeOf<LineageEntry>::get() {
  static const Shape<LineageEntry> kShape = [] {
    Shape<LineageEntry> s;
    s.field("branch", &LineageEntry::branch);
    s.field("generation", &LineageEntry::generation);
    s.field("target_id", &LineageEntry::target_id);
    s.field("operation", &LineageEntry::operation, "an operation, or seed");
    s.field("parent_branches", &LineageEntry::parent_branches);
    s.field("fitness", &LineageEntry::fitness);
    s.field("pareto_rank", &LineageEntry::pareto_rank);
    s.field("success", &LineageEntry::success);
    s.field("state", &LineageEntry::state);
    s.field("commit", &LineageEntry::commit);
    s.field("alive", &LineageEntry::alive);
    s.field("eliminated", &LineageEntry::eliminated);
    s.omittable("cache_of", &LineageEntry::cache_of);
    s.omittable("reason", &LineageEntry::reason);
    return s;
  }();
  return kShape;
}

const Shape<Lineage>& ShapeOf<Lineage>::get() {
  static const Shape<Lineage> kShape = [] {
    Shape<Lineage> s;
    s.field("branch", &Lineage::branch);
    s.field("run_id", &Lineage::run_id);
    s.field("lineage", &Lineage::lineage, "the branch, then its ancestors breadth first");
    s.omittable("archive_ref", &Lineage::archive_ref, "include_diff: an eliminated branch's ref");
    s.omittable("diff", &Lineage::diff, "include_diff: the reviewed diff, null when none");
    s.omittable("diff_truncated", &Lineage::diff_truncated);
    return s;
  }();
  return kShape;
}

const Shape<RunSummary>& ShapeOf<RunSummary>::get() {
  static const Shape<RunSummary> kShape = [] {
    Shape<RunSummary> s;
    s.field("run_id", &RunSummary::run_id);
    s.field("phase", &RunSummary::phase);
    s.field("generation", &RunSummary::generation);
    s.field("total_evals", &RunSummary::total_evals);
    s.field("max_fe", &RunSummary::max_fe);
    s.field("repo_path", &RunSummary::repo_path);
    s.field("objectives", &RunSummary::objectives);
    s.field("targets", &RunSummary::targets);
    s.field("created_at_ms", &RunSummary::created_at_ms);
    best_fields(s);
    s.omittable("done_reason", &RunSummary::done_reason);
    return s;
  }();
  return kShape;
}

const Shape<UnreadableRun>& ShapeOf<UnreadableRun>::get() {
  static const Shape<UnreadableRun> kShape = [] {
    Shape<UnreadableRun> s;
    s.field("run_id", &UnreadableRun::run_id);
    s.field("error", &UnreadableRun::error, "why the run's log does not load");
    return s;
  }();
  return kShape;
}

const Shape<RunList>& ShapeOf<RunList>::get() {
  static const Shape<RunList> kShape = [] {
    Shape<RunList> s;
    s.field("runs", &RunList::runs, "oldest first");
    s.field("latest_run", &RunList::latest_run, "what tools act on without `run`");
    s.field("count", &RunList::count);
    return s;
  }();
  return kShape;
}

// --- any reply, errors -----------------------------------------------------------------------

json to_json(const Reply& reply) {
  return std::visit([](const auto& r) { return Codec<std::decay_t<decltype(r)>>::write(r); },
                    reply);
}

json step_reply_schema() {
  return {
      {"anyOf",
       {schema_of<DispatchWorkers>(), schema_of<CheckPolicy>(), schema_of<RunBenchmark>(),
        schema_of<Rejected>(), schema_of<WorkerDone>(), schema_of<Reflect>(), schema_of<Done>()}}};
}

const Shape<ErrorBody>& ShapeOf<ErrorBody>::get() {
  static const Shape<ErrorBody> kShape = [] {
    Shape<ErrorBody> s;
    s.field("code", &ErrorBody::code,
            "invalid_argument, not_found, illegal_transition, conflict, policy_violation, git, "
            "storage, internal");
    s.field("message", &ErrorBody::message);
    s.omittable("field", &ErrorBody::field, "the argument at fault, by path");
    s.omittable("rule", &ErrorBody::rule, "the rule that refused the call");
    s.omittable("branch", &ErrorBody::branch);
    s.omittable("state", &ErrorBody::state, "that branch's lifecycle state");
    s.omittable("allowed_next", &ErrorBody::allowed_next, "the phases the branch may take next");
    return s;
  }();
  return kShape;
}

const Shape<ErrorReply>& ShapeOf<ErrorReply>::get() {
  static const Shape<ErrorReply> kShape = [] {
    Shape<ErrorReply> s;
    s.field("error", &ErrorReply::error);
    return s;
  }();
  return kShape;
}

namespace {
// Every message about one argument starts "argument '<path>': " (contract.h argument_error and
// the state machine's checks write it so); that path is the field when the details lack one.
std::string field_of(const std::string& message) {
  static constexpr std::string_view kPrefix = "argument '";
  if (message.compare(0, kPrefix.size(), kPrefix) != 0) return {};
  const auto end = message.find('\'', kPrefix.size());
  if (end == std::string::npos || end == kPrefix.size()) return {};
  return message.substr(kPrefix.size(), end - kPrefix.size());
}
}  // namespace

ErrorReply error_reply(const Error& e) {
  ErrorReply r;
  r.error.code = error_code_name(e.code);
  r.error.message = e.message;
  const auto& d = e.details;
  if (!d.field.empty()) {
    r.error.field = d.field;
  } else if (auto field = field_of(e.message); !field.empty()) {
    r.error.field = std::move(field);
  }
  if (!d.rule.empty()) r.error.rule = d.rule;
  if (!d.branch.empty()) r.error.branch = d.branch;
  if (!d.state.empty()) r.error.state = d.state;
  if (!d.allowed_next.empty()) r.error.allowed_next = d.allowed_next;
  return r;
}

json output_schema(const json& success) {
  return {{"type", "object"}, {"anyOf", {success, schema_of<ErrorReply>()}}};
}

}  // namespace evo::wire
