// The wire form of the state machine's replies and queries (state/replies.h), and of errors:
// one field table per type (wire/shape.h) gives the JSON the tools send, its exact schema, and
// the parsing back into typed values that the CLI, the demo and the tests use.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/domain.h"
#include "core/result.h"
#include "policy/rules.h"
#include "state/model.h"
#include "state/replies.h"
#include "wire/shape.h"

namespace evo::wire {

// Enums, by the name arrays their parsers use.
template <>
struct Codec<Direction> : EnumCodec<Direction, kDirectionNames.size(), kDirectionNames> {};
template <>
struct Codec<Operation> : EnumCodec<Operation, kOperationNames.size(), kOperationNames> {};
template <>
struct Codec<state::PolicyMode>
    : EnumCodec<state::PolicyMode, state::kPolicyModeNames.size(), state::kPolicyModeNames> {};
template <>
struct Codec<state::BenchmarkFormat>
    : EnumCodec<state::BenchmarkFormat, state::kBenchmarkFormatNames.size(),
                state::kBenchmarkFormatNames> {};
template <>
struct Codec<state::RunPhase>
    : EnumCodec<state::RunPhase, state::kRunPhaseNames.size(), state::kRunPhaseNames> {};
template <>
struct Codec<state::ItemState>
    : EnumCodec<state::ItemState, state::kItemStateNames.size(), state::kItemStateNames> {};

// A number (one objective), an array (several) or null (none).
template <>
struct Codec<state::Score> {
  static json write(const state::Score& v);
  static Status read(const json& j, const std::string& path, state::Score& out);
  static json schema();
};

EVO_WIRE_SHAPE(state::ObjectiveSpec);
EVO_WIRE_SHAPE(policy::Finding);
EVO_WIRE_SHAPE(state::WorkItem);
EVO_WIRE_SHAPE(state::Initialized);
EVO_WIRE_SHAPE(state::TargetsAccepted);
EVO_WIRE_SHAPE(state::SeedRecorded);
EVO_WIRE_SHAPE(state::DispatchWorkers);
EVO_WIRE_SHAPE(state::CheckPolicy);
EVO_WIRE_SHAPE(state::RunBenchmark);
EVO_WIRE_SHAPE(state::Rejected);
EVO_WIRE_SHAPE(state::WorkerDone);
EVO_WIRE_SHAPE(state::TargetProgress);
EVO_WIRE_SHAPE(state::Reflect);
EVO_WIRE_SHAPE(state::Done);
EVO_WIRE_SHAPE(state::TargetTemperature);
EVO_WIRE_SHAPE(state::SynergyAccepted);
EVO_WIRE_SHAPE(state::TargetStatus);
EVO_WIRE_SHAPE(state::FrontMember);
EVO_WIRE_SHAPE(state::InFlight);
EVO_WIRE_SHAPE(state::RunStatus);
EVO_WIRE_SHAPE(state::LineageEntry);
EVO_WIRE_SHAPE(state::Lineage);
EVO_WIRE_SHAPE(state::RunSummary);
EVO_WIRE_SHAPE(state::UnreadableRun);
EVO_WIRE_SHAPE(state::RunList);

// Any reply, as evo_step (and the other tools) send it.
json to_json(const state::Reply& reply);
// The legacy tools' forms of evo_step replies: the same members without `action`.
const Shape<state::Reflect>& legacy_reflect_shape();
const Shape<state::WorkerDone>& legacy_worker_done_shape();
const Shape<state::Rejected>& legacy_rejected_shape();

// evo_step's outputSchema: one of its six actions (worker_done in its two forms).
json step_reply_schema();

// What an isError result carries in structuredContent: {"error": {code, message, and the
// details that apply: field, rule, branch, state, allowed_next}}, so an agent acts on the
// members instead of parsing the English.
struct ErrorBody {
  std::string code;  // error_code_name(): "illegal_transition", "invalid_argument", ...
  std::string message;
  std::optional<std::string> field;
  std::optional<std::string> rule;
  std::optional<std::string> branch;
  std::optional<std::string> state;
  std::optional<std::vector<std::string>> allowed_next;
};
struct ErrorReply {
  ErrorBody error;
};
EVO_WIRE_SHAPE(ErrorBody);
EVO_WIRE_SHAPE(ErrorReply);
ErrorReply error_reply(const Error& e);

// A tool's outputSchema: its success shape or the error shape.
json output_schema(const json& success);

}  // namespace evo::wire
