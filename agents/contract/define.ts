import type { z } from 'zod'

/** One request of the contract: a zod schema for its input and a phantom for its output type. */
export interface RouteDefinition<Input extends z.ZodType = z.ZodType, Output = unknown> {
  input: Input
  /** Never read at run time; carries the output type for the handler map and the clients. */
  output?: Output
}

/** `route<Output>()(schema)`: the output type is given, the input type is inferred from the schema. */
export const route =
  <Output>() =>
  <Input extends z.ZodType>(input: Input): RouteDefinition<Input, Output> => ({ input })

/** One event of the contract; the payload is a type only, events flow from trusted code. */
export interface EventDefinition<Payload = unknown> {
  payload?: Payload
}

export const event = <Payload>(): EventDefinition<Payload> => ({})
