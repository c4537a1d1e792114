module Workq.Tests.IntegrationTests

open Expecto
