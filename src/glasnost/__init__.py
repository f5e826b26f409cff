"""glasnost: missile-defense transparency between states.

Validated trajectory physics, threat assessment from declared postures, and a verifiable
exchange of declarations between the parties to an agreement.
"""

__version__ = "0.1.0"
