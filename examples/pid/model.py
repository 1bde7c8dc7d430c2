"""A PID controller for a lightly damped mass-spring plant.

evo-engine's demo evolves the numbers in controller_gains(); benchmark.py scores them.
"""


def controller_gains():
    """The controller's tuning: proportional, integral and derivative gains, and the
    derivative filter's smoothing factor (0 = no filtering, close to 1 = heavy filtering)."""
    kp = 0.8
    ki = 0.05
    kd = 0.1
    derivative_smoothing = 0.9
    return kp, ki, kd, derivative_smoothing


def control(error, integral, derivative):
    """The control effort for one step, before actuator saturation."""
    kp, ki, kd, _ = controller_gains()
    return kp * error + ki * integral + kd * derivative
