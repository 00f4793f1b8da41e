/** Engine API error body: `{"message": "..."}`. */
export interface ErrorResponse {
  message: string;
}
