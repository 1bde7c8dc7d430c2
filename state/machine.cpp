// Command handling: validation first, then events, then the reply. See machine.h. handle()
// sends each command to its function in detail (machine_internal.h): set-up in
// machine_setup.cpp, the item lifecycle in machine_items.cpp (what code_ready needs beforehand in
// machine_code_ready_plan.cpp), the generation loop and the stop rules in machine_generation.cpp,
// steering in machine_steering.cpp.
#include "state/machine.h"

#include <variant>

#include "state/machine_internal.h"

namespace evo::state {

namespace {

struct Dispatcher {
  State& s;

  Result<Transition> operator()(const InitCmd& c) const { return detail::on_init(s, c); }
  Result<Transition> operator()(const RegisterTargetsCmd& c) const {
    return detail::on_register_targets(s, c);
  }
  Result<Transition> operator()(const ReportSeedCmd& c) const {
    return detail::on_report_seed(s, c);
  }
  Result<Transition> operator()(const BeginGenerationCmd& c) const {
    return detail::on_begin_generation(s, c);
  }
  Result<Transition> operator()(const CodeReadyCmd& c) const { return detail::on_code_ready(s, c); }
  Result<Transition> operator()(const PolicyPassCmd& c) const {
    return detail::on_policy_pass(s, c);
  }
  Result<Transition> operator()(const PolicyFailCmd& c) const {
    return detail::on_policy_fail(s, c);
  }
  Result<Transition> operator()(const FitnessReadyCmd& c) const {
    return detail::on_fitness_ready(s, c);
  }
  Result<Transition> operator()(const SelectCmd& c) const { return detail::on_select(s, c); }
  Result<Transition> operator()(const ReflectDoneCmd& c) const {
    return detail::on_reflect_done(s, c);
  }
  Result<Transition> operator()(const FreezeCmd& c) const { return detail::on_freeze(s, c); }
  Result<Transition> operator()(const BoostCmd& c) const { return detail::on_boost(s, c); }
  Result<Transition> operator()(const RecordSynergyCmd& c) const {
    return detail::on_record_synergy(s, c);
  }
  Result<Transition> operator()(const StopCmd& c) const { return detail::on_stop(s, c); }
};

}  // namespace

Result<Transition> handle(State& state, const Command& command) {
  if (state.run_id.empty() && !std::holds_alternative<InitCmd>(command)) {
    return make_error(ErrorCode::kNotFound, "the run is not initialized: call evo_init first");
  }
  return std::visit(Dispatcher{state}, command);
}

}  // namespace evo::state
