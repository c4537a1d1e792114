module Workq.Tests.TcpTestClient

open Expecto
