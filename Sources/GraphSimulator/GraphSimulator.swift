import FlyingFox
import TenantPilotCore

/// Placeholder: the simulated Microsoft Graph (see issue 4).
public enum GraphSimulatorPlaceholder {}
