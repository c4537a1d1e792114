module Workq.Properties.ProtocolProperties

open Expecto
