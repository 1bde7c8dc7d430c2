"""Scores model.py's PID controller on a fixed setpoint schedule; lower is better.

Simulates a mass-spring-damper (m = 1, c = 0.3, k = 1) for 30 s with a saturated actuator and
prints the cost on the last line: integrated squared tracking error plus a small penalty on
control effort. Deterministic: no randomness, no clock.
"""

import model

DT = 0.01
STEPS = 3000
U_MAX = 4.0
SCHEDULE = ((0.0, 1.0), (10.0, -0.5), (20.0, 0.8))  # (start time s, setpoint)


def setpoint(t):
    value = SCHEDULE[0][1]
    for start, target in SCHEDULE:
        if t >= start:
            value = target
    return value


def simulate():
    _, _, _, smoothing = model.controller_gains()
    smoothing = min(max(smoothing, 0.0), 0.99)
    x, v = 0.0, 0.0
    integral, filtered_d, previous_error = 0.0, 0.0, None
    squared_error, effort = 0.0, 0.0
    for step in range(STEPS):
        t = step * DT
        error = setpoint(t) - x
        raw_d = 0.0 if previous_error is None else (error - previous_error) / DT
        filtered_d = smoothing * filtered_d + (1.0 - smoothing) * raw_d
        previous_error = error
        u = model.control(error, integral, filtered_d)
        saturated = max(-U_MAX, min(U_MAX, u))
        if saturated == u:  # anti-windup: integrate only while the actuator is not saturated
            integral += error * DT
        a = saturated - 0.3 * v - 1.0 * x
        v += a * DT
        x += v * DT
        squared_error += error * error * DT
        effort += saturated * saturated * DT
    return squared_error + 0.002 * effort, x


def main():
    cost, final_position = simulate()
    print(f"final position {final_position:.4f}, setpoint {setpoint(STEPS * DT):.4f}")
    print(f"{cost:.6f}")


if __name__ == "__main__":
    main()
