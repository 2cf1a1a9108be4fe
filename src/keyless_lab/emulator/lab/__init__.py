"""The lab's own control plane, everything under `/_lab/`: not part of emulated Azure. The admin API
the `az` stand-in and notebooks use (`admin`) and scripted device-code approval (`device_approval`)."""
