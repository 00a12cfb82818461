"""pycoral.learn: on-device training needs libedgetpu's training ops, which etpu does not provide."""


def __getattr__(name):
    raise NotImplementedError(
        f"pycoral.learn.{name}: on-device learning (imprinting, backprop) is not available on etpu's "
        f"virtual Edge TPUs; train on the CPU and compile the result with etpu's edgetpu_compiler")
