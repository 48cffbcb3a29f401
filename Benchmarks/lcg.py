"""The generators' random numbers: a fixed 64-bit linear congruential generator (not Python's
random module, whose algorithms may change between versions), so a generated program depends
only on its arguments."""


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def next(self, bound):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.state >> 33) % bound
