module Workq.Tests.ProtocolTests

open Expecto
